import { useState } from 'react';
import { Upload, type UploadFile } from 'antd';
import { InboxOutlined } from '@ant-design/icons';
import { PHOTO_UPLOAD_FIELD, type Photo } from '@ssp/shared';
import { api, errorText } from '../session';

/**
 * Photos dropped or chosen here go to POST /media (uploadPhotos) one by one; `onChange`
 * gets the ids of those uploaded, in order.
 */
export function PhotoUpload({ onChange, max = 9 }: { onChange: (photoIds: string[]) => void; max?: number }) {
  const [files, setFiles] = useState<UploadFile<Photo>[]>([]);

  const update = (next: UploadFile<Photo>[]) => {
    setFiles(next);
    onChange(next.filter((f) => f.status === 'done' && f.response).map((f) => f.response!.id));
  };

  return (
    <Upload.Dragger
      accept="image/jpeg,image/png,image/webp,image/heic"
      multiple
      maxCount={max}
      listType="picture"
      fileList={files}
      onChange={({ fileList }) => update(fileList as UploadFile<Photo>[])}
      customRequest={({ file, onSuccess, onError }) => {
        const form = new FormData();
        form.append(PHOTO_UPLOAD_FIELD, file as Blob);
        api
          .call('uploadPhotos', { body: form })
          .then((r) => onSuccess?.(r.photos[0]))
          .catch((e: unknown) => onError?.(new Error(errorText(e))));
      }}
      data-testid="photo-upload"
    >
      <p className="ant-upload-drag-icon">
        <InboxOutlined />
      </p>
      <p className="ant-upload-text">将处置后照片拖到此处，或点击选择</p>
      <p className="ant-upload-hint">支持 JPG、PNG，最多 {max} 张</p>
    </Upload.Dragger>
  );
}
