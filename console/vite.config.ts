import path from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The staff console, built into console/dist and served by the API at /console/
 * (api/src/core/static-files.ts). Every file in dist/assets has its content hash in its
 * name, which the API caches for a year. `npm run dev -w console` serves it with hot
 * reload and passes API calls to the API at $CONSOLE_API (default http://127.0.0.1:3000).
 */
const API = process.env.CONSOLE_API ?? 'http://127.0.0.1:3000';
const API_PREFIXES = ['/auth', '/staff', '/admin', '/media', '/areas', '/categories', '/departments', '/city', '/stats', '/forwarding', '/campaigns'];

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  resolve: { alias: { '@ssp/shared': path.resolve(__dirname, '../shared/src/index.ts') } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      // zod's sources carry /*#__PURE__*/ notes Rollup cannot place; they are only hints.
      onwarn: (warning, warn) => (warning.code === 'INVALID_ANNOTATION' ? undefined : warn(warning)),
      output: {
        manualChunks: (id) => (/node_modules[\\/](antd|@ant-design|rc-[^\\/]+|@rc-component)[\\/]/.test(id) ? 'antd' : undefined),
      },
    },
  },
  server: { proxy: Object.fromEntries(API_PREFIXES.map((p) => [p, { target: API, changeOrigin: false }])) },
});
