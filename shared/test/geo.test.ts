import { boundingBox, distanceMeters } from '../src';

describe('geo', () => {
  it('measures known distances', () => {
    // One degree of latitude is about 111.2 km.
    expect(distanceMeters({ lat: 28, lng: 115 }, { lat: 29, lng: 115 })).toBeCloseTo(111_195, -2);
    expect(distanceMeters({ lat: 28.7, lng: 115.8 }, { lat: 28.7, lng: 115.8 })).toBe(0);
    // 0.0005° of latitude ≈ 55.6 m
    expect(distanceMeters({ lat: 28.7, lng: 115.8 }, { lat: 28.7005, lng: 115.8 })).toBeCloseTo(55.6, 0);
  });

  it('bounding box contains the circle', () => {
    const c = { lat: 28.7, lng: 115.8 };
    const box = boundingBox(c, 50);
    expect(distanceMeters(c, { lat: box.maxLat, lng: c.lng })).toBeCloseTo(50, 0);
    expect(distanceMeters(c, { lat: c.lat, lng: box.maxLng })).toBeGreaterThanOrEqual(49.9);
  });
});
