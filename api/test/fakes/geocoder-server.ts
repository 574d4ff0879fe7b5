import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for Tencent Location Service's reverse geocoder
 * (GET /ws/geocoder/v1/?location=lat,lng&key=…): answers by its protocol, refuses a
 * wrong key with status 311 and past its quota with 121 as the real one does.
 */
export async function startFakeGeocoder(key: string) {
  const calls: { location: string | null; key: string | null }[] = [];
  let overQuota = false;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    if (url.pathname !== '/ws/geocoder/v1/') return res.end(JSON.stringify({ status: 404, message: 'not found' }));
    calls.push({ location: url.searchParams.get('location'), key: url.searchParams.get('key') });
    if (url.searchParams.get('key') !== key) return res.end(JSON.stringify({ status: 311, message: 'key格式错误' }));
    if (overQuota) return res.end(JSON.stringify({ status: 121, message: '此key每日调用量已达到上限' }));
    const [lat, lng] = (url.searchParams.get('location') ?? '').split(',').map(Number);
    if (!Number.isFinite(lat) || !Number.isFinite(lng)) return res.end(JSON.stringify({ status: 310, message: '请求参数信息有误' }));
    res.end(
      JSON.stringify({
        status: 0,
        message: 'query ok',
        result: { address: '湖南省岳阳市岳阳楼区洞庭南路', formatted_addresses: { recommend: '岳阳楼区洞庭南路(岳阳楼东)' }, location: { lat, lng } },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    setOverQuota: (v: boolean) => (overQuota = v),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
