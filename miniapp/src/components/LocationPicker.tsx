/*
 * The build picks LocationPicker.weapp.tsx (WeChat map) or LocationPicker.h5.tsx
 * (browser fallback) by TARO_ENV; this file serves type-checking and tests.
 */
export * from './LocationPicker.h5';
