import type { ServiceContext } from './context';
import { AuthService } from './auth/service';
import { MediaService } from './media/service';
import { CatalogueService } from './catalogue/service';

/** Every domain service, built once per app from the same context. */
export function createServices(ctx: ServiceContext) {
  const auth = new AuthService(ctx);
  const media = new MediaService(ctx);
  const catalogue = new CatalogueService(ctx);
  return { ctx, auth, media, catalogue };
}

export type Services = ReturnType<typeof createServices>;
