export * from './credentials';
export * from './encode';
export * from './v4';
export * from './v1';
export * from './url';
export * from './post';
export * from './presign';
