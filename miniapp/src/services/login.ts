/*
 * Platform login. The build picks login.weapp.ts (WeChat code login) or login.h5.ts
 * (the API's development login) by TARO_ENV; this file serves type-checking and tests.
 */
export * from './login.h5';
