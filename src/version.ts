/** The library version, kept in step with package.json by a unit test. */
export const VERSION = '0.1.0';
/** What commitInfo.engineInfo says about us. */
export const ENGINE_INFO = `deltalake-ts/${VERSION}`;
