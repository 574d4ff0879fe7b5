// Media (photo upload) schemas: filled in by the media domain.
export {};
