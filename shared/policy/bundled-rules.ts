// The storage rules the build compiled into this bundle (scripts/build.ts defines
// STORAGE_RULES_BUNDLED from the rules file); undefined outside a bundle, where the caller passes
// its own rules, or none for UPLOAD_PREFIX's one rule.

import type { StorageRules } from './storage-rules';

declare const STORAGE_RULES_BUNDLED: StorageRules | undefined;

/** The rules file the deployed functions were built with. */
export const BUNDLED_RULES: StorageRules | undefined = typeof STORAGE_RULES_BUNDLED === 'undefined' ? undefined : STORAGE_RULES_BUNDLED;
