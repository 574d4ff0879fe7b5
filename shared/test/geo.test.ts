import { boundingBox, distanceMeters, gcj02ToWgs84, wgs84ToGcj02 } from '../src';

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

  it('shifts WGS-84 to GCJ-02 inside China by a few hundred metres, not outside', () => {
    // Tiananmen: WGS-84 39.90923, 116.397428 is GCJ-02 about 39.910625, 116.403674.
    const g = wgs84ToGcj02({ lat: 39.90923, lng: 116.397428 });
    expect(g.lat).toBeCloseTo(39.910625, 3);
    expect(g.lng).toBeCloseTo(116.403674, 3);
    const shift = distanceMeters({ lat: 39.90923, lng: 116.397428 }, g);
    expect(shift).toBeGreaterThan(300);
    expect(shift).toBeLessThan(800);
    expect(wgs84ToGcj02({ lat: -33.8688, lng: -70.6693 })).toEqual({ lat: -33.8688, lng: -70.6693 });
  });

  it('converts GCJ-02 back to WGS-84 within a metre, across the country', () => {
    for (const wgs of [
      { lat: 39.90923, lng: 116.397428 },
      { lat: 29.3712, lng: 113.1288 },
      { lat: 22.5431, lng: 114.0579 },
      { lat: 45.8038, lng: 126.535 },
    ]) {
      const back = gcj02ToWgs84(wgs84ToGcj02(wgs));
      expect(distanceMeters(back, wgs)).toBeLessThan(1);
    }
    expect(gcj02ToWgs84({ lat: 48.8566, lng: 2.3522 })).toEqual({ lat: 48.8566, lng: 2.3522 });
  });
});
