/// <reference types="vite/client" />

interface Window {
  /** The first requests public/boot.js started before the bundle ran (absent if that script did not run). */
  boundlessBoot?: import('./api/prefetch.ts').BootRequests;
}
