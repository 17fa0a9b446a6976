// The upload rules and the four things one grant compiles to. Change a rule here and all four change.
export * from './errors';
export * from './rules';
export * from './keys';
export * from './content-type';
export * from './limits';
export * from './callback';
export * from './session-policy';
export * from './post-conditions';
export * from './url-constraints';
export * from './upload-checks';
