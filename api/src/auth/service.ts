import type { ServiceContext } from '../context';

export class AuthService {
  constructor(readonly ctx: ServiceContext) {}
}
