import { useEffect, useRef, useState } from 'react';
import { Modal, Slider, Space, Typography } from 'antd';

/** Covers are 16:9 (the mini-program's list and detail banners), saved at 1280×720. */
export const COVER_WIDTH = 1280;
export const COVER_HEIGHT = 720;

interface Props {
  file: File;
  onCancel: () => void;
  /** The cropped cover as a JPEG. */
  onDone: (blob: Blob) => void;
}

/**
 * Crops a chosen image to the 16:9 cover: zoom, and move the frame across and up or down;
 * the preview is what the JPEG will hold.
 */
export function CoverCrop({ file, onCancel, onDone }: Props) {
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const [image, setImage] = useState<HTMLImageElement | null>(null);
  const [zoom, setZoom] = useState(1);
  const [x, setX] = useState(50);
  const [y, setY] = useState(50);

  useEffect(() => {
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = () => setImage(img);
    img.src = url;
    return () => URL.revokeObjectURL(url);
  }, [file]);

  useEffect(() => {
    const c = canvas.current;
    if (!c || !image) return;
    // The largest 16:9 frame inside the image, shrunk by the zoom, placed by x/y (percent).
    const aspect = COVER_WIDTH / COVER_HEIGHT;
    let w = image.naturalWidth;
    let h = w / aspect;
    if (h > image.naturalHeight) {
      h = image.naturalHeight;
      w = h * aspect;
    }
    w /= zoom;
    h /= zoom;
    const sx = ((image.naturalWidth - w) * x) / 100;
    const sy = ((image.naturalHeight - h) * y) / 100;
    const ctx = c.getContext('2d');
    ctx?.drawImage(image, sx, sy, w, h, 0, 0, COVER_WIDTH, COVER_HEIGHT);
  }, [image, zoom, x, y]);

  return (
    <Modal
      open
      title="裁剪封面（16:9）"
      okText="使用此封面"
      cancelText="取消"
      width={720}
      onCancel={onCancel}
      okButtonProps={{ disabled: !image, 'data-testid': 'cover-crop-ok' } as never}
      onOk={() => canvas.current?.toBlob((b) => b && onDone(b), 'image/jpeg', 0.9)}
      destroyOnHidden
    >
      <canvas
        ref={canvas}
        width={COVER_WIDTH}
        height={COVER_HEIGHT}
        style={{ width: '100%', borderRadius: 6, background: '#f0f0f0' }}
        data-testid="cover-crop"
      />
      <Space direction="vertical" style={{ width: '100%', marginTop: 12 }}>
        <Typography.Text>缩放</Typography.Text>
        <Slider min={1} max={3} step={0.05} value={zoom} onChange={setZoom} />
        <Typography.Text>左右位置</Typography.Text>
        <Slider min={0} max={100} value={x} onChange={setX} />
        <Typography.Text>上下位置</Typography.Text>
        <Slider min={0} max={100} value={y} onChange={setY} />
      </Space>
    </Modal>
  );
}
