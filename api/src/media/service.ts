import type { ServiceContext } from '../context';

export class MediaService {
  constructor(readonly ctx: ServiceContext) {}
}
