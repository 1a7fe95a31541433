/**
 * IdP metadata given by its URL (issue 11, S1): fetched through the SSRF-guarded adapter with the
 * operator's settings, then read as pasted metadata is, so both paths refuse the same documents.
 */
import { fetchIdpMetadata } from '../../adapters/metadata-fetch.js';
import type { ServiceDeps } from '../../services/index.js';
import { MAX_METADATA_BYTES, parseIdpMetadata, type IdpMetadata } from './idp-metadata.js';

export async function idpMetadataFromUrl(deps: Pick<ServiceDeps, 'ssoMetadata'>, url: string): Promise<IdpMetadata> {
  const settings = deps.ssoMetadata;
  const xml = await fetchIdpMetadata(url, {
    allowPrivate: settings?.allowPrivateTargets ?? false, maxBytes: MAX_METADATA_BYTES,
    ...(settings?.timeoutMs !== undefined && { timeoutMs: settings.timeoutMs }),
  });
  return parseIdpMetadata(xml);
}
