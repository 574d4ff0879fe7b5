import { useCallback, useEffect, useState } from 'react';
import type { NearbyCase } from '@ssp/shared';
import { reportsApi } from '../services/api';
import { requireCitizen } from '../services/session';
import { toastError, toastOk } from '../services/ui';

/** Open cases of the chosen category near the position, which the citizen can back (我也遇到) instead of reporting twice. */
export function useNearbyCases(lat: number | undefined, lng: number | undefined, categoryId: string | null | undefined) {
  const [nearby, setNearby] = useState<NearbyCase[]>([]);
  const [supportingId, setSupportingId] = useState<string | null>(null);

  useEffect(() => {
    if (lat === undefined || lng === undefined || !categoryId) {
      setNearby([]);
      return;
    }
    let live = true;
    reportsApi
      .nearby(lat, lng, categoryId)
      .then((items) => live && setNearby(items))
      .catch(() => live && setNearby([]));
    return () => {
      live = false;
    };
  }, [lat, lng, categoryId]);

  const support = useCallback(async (c: NearbyCase) => {
    if (!(await requireCitizen())) return;
    setSupportingId(c.id);
    try {
      const r = await reportsApi.support(c.id);
      setNearby((list) => list.map((x) => (x.id === c.id ? { ...x, supportedByMe: true, supporterCount: r.supporterCount } : x)));
      toastOk('已附议');
    } catch (err) {
      toastError(err);
    } finally {
      setSupportingId(null);
    }
  }, []);

  return { nearby, supportingId, support };
}
