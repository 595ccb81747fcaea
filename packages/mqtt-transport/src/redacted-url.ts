/**
 * A broker URL fit to print, log or keep in a file: without the password it may carry (the user
 * name stays: it says which account). Text that is not a URL is returned as it is.
 */
export function redactedUrl(location: string): string {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return location;
  }
  if (url.password === '') return location;
  url.password = '';
  return url.toString();
}
