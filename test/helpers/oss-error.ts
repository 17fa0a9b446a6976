// What a local OSS check threw, as `<status> <code>` (undefined when it did not throw).

import { OssError } from '../../local/oss/errors';

export function ossCodeOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return e instanceof OssError ? `${e.status} ${e.code}` : String(e);
  }
}
