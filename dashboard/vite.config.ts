import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev -w dashboard`: Vite with HMR, everything else proxied to a running copilot (COPILOT_URL, by default
// the one `npm start` runs on port 4003), so the dev page, the API and the socket share one origin as in
// production and the session cookie works unchanged.
const copilot = process.env.COPILOT_URL ?? 'http://127.0.0.1:4003';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': copilot,
      '/auth': copilot,
      '/local': copilot,
      '/socket.io': { target: copilot, ws: true },
    },
  },
});
