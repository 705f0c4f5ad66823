import type { ReactNode } from 'react';
import { AbusePage } from '../pages/AbusePage.tsx';
import { CapacityPage } from '../pages/CapacityPage.tsx';
import { ChangeSetsPage } from '../pages/ChangeSetsPage.tsx';
import { CostPage } from '../pages/CostPage.tsx';
import { IncidentsPage } from '../pages/IncidentsPage.tsx';
import { OverviewPage } from '../pages/OverviewPage.tsx';
import { ReportsPage } from '../pages/ReportsPage.tsx';
import { SloDetailPage } from '../pages/SloDetailPage.tsx';

export interface PageEntry {
  /** The route (react-router syntax). */
  path: string;
  element: ReactNode;
  /** Shown in the navigation, in this order; omitted for detail routes. */
  nav?: string;
}

/**
 * Every page of the dashboard. A new page is one entry here plus a file in pages/ (see dashboard/README.md):
 * the navigation and the router both read this list.
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
