import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';

/**
 * One config for both targets. TARO_APP_API_BASE_URL (see .env.*) is where the
 * weapp build reaches the API; the H5 build is served by the API itself, so it
 * uses relative URLs. The subscribe-message templates to ask for come from the API
 * (GET /me/subscriptions), so one build serves any deployment's templates.
 */
const sharedSrc = path.resolve(__dirname, '../../shared/src');

/**
 * The client imports '@ssp/shared' from its TypeScript sources (ES modules), so webpack
 * can drop what a bundle does not use; the modules are pure declarations.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- webpack-chain has no types here
function sharedSourceRules(chain: any): void {
  chain.module.rule('ssp-shared-side-effects').test(/\.ts$/).include.add(sharedSrc).end().sideEffects(false);
}

/** Compiled like our own code: the shared sources, and zod (modern syntax) for older WeChat clients. */
const compileInclude = [sharedSrc, (file: string) => file.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`)];

/**
 * H5: Taro splits only initial chunks, so every lazily loaded page would carry its own
 * copy of React, zod and the components. Share them across pages instead.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- webpack-chain has no types here
function h5Chain(chain: any): void {
  sharedSourceRules(chain);
  const current = chain.optimization.get('splitChunks');
  if (current) chain.optimization.splitChunks({ ...current, chunks: 'all', minSize: 20_000 });
}

export default defineConfig<'webpack5'>(async () => {
  const config: UserConfigExport<'webpack5'> = {
    projectName: 'suishoupai',
    date: '2026-11-22',
    designWidth: 750,
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: `dist/${process.env.TARO_ENV}`,
    plugins: [path.resolve(__dirname, 'a11y-plugin.ts')],
    alias: { '@ssp/shared': sharedSrc },
    defineConstants: {},
    copy: { patterns: [], options: {} },
    framework: 'react',
    compiler: { type: 'webpack5', prebundle: { enable: false } },
    cache: { enable: false },
    logger: { quiet: true, stats: false },
    mini: {
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false },
      },
      compile: { include: compileInclude },
      optimizeMainPackage: { enable: true },
      webpackChain: sharedSourceRules,
    },
    h5: {
      publicPath: '/app/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      output: {
        filename: 'js/[name].[contenthash:8].js',
        chunkFilename: 'js/[name].[contenthash:8].js',
      },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[contenthash:8].css',
        chunkFilename: 'css/[name].[contenthash:8].css',
      },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        cssModules: { enable: false },
      },
      compile: { include: compileInclude },
      webpackChain: h5Chain,
    },
  };
  return config;
});
