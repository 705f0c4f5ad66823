import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { retryOnce } from './api/client.ts';
import { prefetchFirstScreen } from './api/prefetch.ts';
import { App } from './app/App.tsx';
import './styles.css';

// Live events keep the cache fresh; a refetch on focus or every 30 s is the safety net for what a push missed.
// A refusal (a signed-out visitor's 401, an unknown SLO's 404) is shown at once instead of asked again.
const client = new QueryClient({
  defaultOptions: {
    queries: { staleTime: 10_000, refetchInterval: 30_000, retry: retryOnce },
  },
});

void prefetchFirstScreen(client, window.location, window.boundlessBoot);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
