import { useEffect, useState } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { api, getSession, onSessionChange, updateProfile, type Session } from './session';
import { screensFor } from './access';
import { Shell } from './Shell';
import { LoginPage } from './pages/LoginPage';
import { HomePage } from './pages/HomePage';
import { CaseDesk } from './pages/CaseDesk';
import { StaffPage } from './pages/StaffPage';
import { ClaimsPage } from './pages/ClaimsPage';
import { StatsPage } from './pages/StatsPage';
import { CampaignsPage } from './pages/CampaignsPage';
import { CampaignEditor } from './pages/CampaignEditor';
import { RewardsPage } from './pages/RewardsPage';
import { ForwardingPage } from './pages/ForwardingPage';
import { PointsPage } from './pages/PointsPage';
import { ReportPage } from './pages/ReportPage';
import { CityDataPage } from './pages/city-data/CityDataPage';

export function App() {
  const [session, setSession] = useState<Session | null>(getSession());
  const location = useLocation();

  useEffect(() => onSessionChange(setSession), []);
  // The account may have changed since the last visit (role, department): ask once per sign-in.
  useEffect(() => {
    if (!session) return;
    api
      .call('getStaffMe')
      .then(updateProfile)
      .catch(() => undefined);
  }, [session?.staff.id]); // eslint-disable-line react-hooks/exhaustive-deps

  if (!session) {
    return (
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="*" element={<Navigate to="/login" replace state={{ from: location.pathname + location.search }} />} />
      </Routes>
    );
  }

  const allowed = new Set(screensFor(session.staff.role).map((s) => s.key));
  return (
    <Routes>
      <Route path="/login" element={<Navigate to="/" replace />} />
      {allowed.has('stats') && <Route path="/report" element={<ReportPage />} />}
      <Route element={<Shell session={session} />}>
        <Route index element={<HomePage session={session} />} />
        {allowed.has('desk') && <Route path="/desk" element={<CaseDesk key="desk" mode="desk" session={session} />} />}
        {allowed.has('tasks') && <Route path="/tasks" element={<CaseDesk key="tasks" mode="tasks" session={session} />} />}
        {allowed.has('verify') && <Route path="/verify" element={<CaseDesk key="verify" mode="verify" session={session} />} />}
        {allowed.has('campaigns') && <Route path="/campaigns" element={<CampaignsPage />} />}
        {allowed.has('campaigns') && <Route path="/campaigns/:id" element={<CampaignEditor />} />}
        {allowed.has('stats') && <Route path="/stats" element={<StatsPage />} />}
        {allowed.has('staff') && <Route path="/staff" element={<StaffPage />} />}
        {allowed.has('rewards') && <Route path="/rewards" element={<RewardsPage />} />}
        {allowed.has('claims') && <Route path="/claims" element={<ClaimsPage />} />}
        {allowed.has('points') && <Route path="/points" element={<PointsPage />} />}
        {allowed.has('forwarding') && <Route path="/forwarding" element={<ForwardingPage />} />}
        {allowed.has('cityData') && <Route path="/city-data/:tab?" element={<CityDataPage />} />}
        <Route path="*" element={<Navigate to="/" replace />} />
      </Route>
    </Routes>
  );
}
