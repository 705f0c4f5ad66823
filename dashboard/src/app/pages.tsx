import { type ComponentType, lazy, type ReactNode } from 'react';
import { OverviewPage } from '../pages/OverviewPage.tsx';

export interface PageEntry {
  /** The route (react-router syntax). */
  path: string;
  element: ReactNode;
  /** Shown in the navigation, in this order; omitted for detail routes. */
  nav?: string;
}

/**
 * A page in a chunk of its own, loaded the first time its route is shown (App's Suspense says "Loading the
 * page…" meanwhile): the first load only carries the Overview and what every page shares.
 */
function onDemand(load: () => Promise<ComponentType>) {
  return lazy(async () => ({ default: await load() }));
}

const SloDetailPage = onDemand(async () => (await import('../pages/SloDetailPage.tsx')).SloDetailPage);
const AbusePage = onDemand(async () => (await import('../pages/AbusePage.tsx')).AbusePage);
const CapacityPage = onDemand(async () => (await import('../pages/CapacityPage.tsx')).CapacityPage);
const CostPage = onDemand(async () => (await import('../pages/CostPage.tsx')).CostPage);
const IncidentsPage = onDemand(async () => (await import('../pages/IncidentsPage.tsx')).IncidentsPage);
const ChangeSetsPage = onDemand(async () => (await import('../pages/ChangeSetsPage.tsx')).ChangeSetsPage);
const ReportsPage = onDemand(async () => (await import('../pages/ReportsPage.tsx')).ReportsPage);

/**
 * Every page of the dashboard. A new page is one entry here plus a file in pages/ (see dashboard/README.md):
 * the navigation and the router both read this list. The Overview (the landing page) is in the main bundle;
 * every other page is loaded on demand.
 */
export const PAGES: PageEntry[] = [
  { path: '/', element: <OverviewPage />, nav: 'Overview' },
  { path: '/slo/:id', element: <SloDetailPage /> },
  { path: '/abuse', element: <AbusePage />, nav: 'Abuse' },
  { path: '/capacity', element: <CapacityPage />, nav: 'Capacity' },
  { path: '/cost', element: <CostPage />, nav: 'Cost' },
  { path: '/incidents', element: <IncidentsPage />, nav: 'Incidents' },
  { path: '/change-sets', element: <ChangeSetsPage />, nav: 'Change sets' },
  { path: '/reports', element: <ReportsPage />, nav: 'Reports' },
];
