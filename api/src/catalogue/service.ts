import type { ServiceContext } from '../context';

export class CatalogueService {
  constructor(readonly ctx: ServiceContext) {}
}
