/*
 * The build picks LoginPanel.weapp.tsx (WeChat login) or LoginPanel.h5.tsx (体验登录)
 * by TARO_ENV; this file serves type-checking and tests.
 */
export * from './LoginPanel.h5';
