import { useEffect, useState } from 'react';
import { cachedMe, cachedStaff, isCitizenSignedIn, subscribeSession } from '../services/session';

/** Who is signed in, re-rendered whenever a session starts, changes or ends. */
export function useSession() {
  const [, setTick] = useState(0);
  useEffect(() => subscribeSession(() => setTick((t) => t + 1)), []);
  return { me: cachedMe(), staff: cachedStaff(), signedIn: isCitizenSignedIn() };
}
