import { useEffect, useRef, useState } from 'react';
import { ApiRequestError } from '@ssp/shared';
import { cityApi } from '../services/api';

/**
 * What the report page says about its position: the grid it falls in (so the citizen
 * sees it is right, or outside the city), and the street address where a geocoding
 * provider is configured, offered through `onAddress` unless the citizen typed their own.
 */
export function useReportPlace(
  point: { lat?: number; lng?: number; placeName?: string },
  address: { current: () => string | undefined; onAddress: (address: string) => void },
) {
  const [place, setPlace] = useState<{ text: string; error: boolean }>({ text: '', error: false });
  const { lat, lng, placeName } = point;

  useEffect(() => {
    if (lat === undefined || lng === undefined) return;
    let live = true;
    cityApi
      .locate(lat, lng)
      .then(
        (r) => live && setPlace({ text: `${placeName ? `${placeName} · ` : ''}${r.district.name} ${r.street.name} ${r.grid.name}`, error: false }),
      )
      .catch((e: unknown) => {
        if (!live) return;
        const outside = e instanceof ApiRequestError && e.code === 'OUTSIDE_SERVICE_AREA';
        setPlace({ text: outside ? '该位置不在本市服务范围内，请调整位置' : `${lat}, ${lng}`, error: outside });
      });
    return () => {
      live = false;
    };
  }, [lat, lng, placeName]);

  // Never over what the citizen typed: only over an address this hook filled itself.
  const autoAddress = useRef('');
  const addressRef = useRef(address);
  addressRef.current = address;
  useEffect(() => {
    if (lat === undefined || lng === undefined) return;
    let live = true;
    cityApi
      .reverse(lat, lng)
      .then((found) => {
        const current = addressRef.current.current();
        if (!live || !found || (current && current !== autoAddress.current)) return;
        autoAddress.current = found;
        addressRef.current.onAddress(found);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [lat, lng]);

  return { place, setPlace };
}
