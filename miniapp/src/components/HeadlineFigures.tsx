/** The city's headline figures on 首页 (filled in once the public statistics API is known). */
export function HeadlineFigures() {
  return null;
}
