import type { LatLng } from '@ssp/shared';
import type { DraftLocation } from '../logic/draft';

/** What both platform versions of the location picker take. */
export interface LocationPickerProps {
  value: DraftLocation | null;
  /** Where the map opens when there is no value yet (the city centre). */
  center: LatLng | null;
  /** The grid/street name of the value, or why it cannot be used. */
  placeText: string;
  placeError: boolean;
  locating: boolean;
  /** A photo's EXIF position, already in GCJ-02. */
  exif: LatLng | null;
  onLocate: () => void;
  onChange: (loc: DraftLocation) => void;
}
