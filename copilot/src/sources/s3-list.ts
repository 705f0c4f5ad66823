import { ListObjectsV2Command, type S3Client, type _Object } from '@aws-sdk/client-s3';
import { deadline } from './aws-client.ts';
import { SourceError } from './errors.ts';

/**
 * Every object under a prefix, page after page of ListObjectsV2, in key order; stop early by leaving the loop.
 * Each call carries its deadline; a failing page (after the SDK's retries) is a SourceError of `source`.
 */
export async function* listObjects(
  client: S3Client,
  where: { bucket: string; prefix: string; startAfter?: string | undefined },
  options: { source: string; timeoutMs?: number | undefined },
): AsyncGenerator<_Object> {
  let token: string | undefined;
  do {
    const page = await client
      .send(
        new ListObjectsV2Command({
          Bucket: where.bucket,
          Prefix: where.prefix,
          ...(token
            ? { ContinuationToken: token }
            : where.startAfter
              ? { StartAfter: where.startAfter }
              : {}),
        }),
        deadline(options.timeoutMs),
      )
      .catch((error: unknown) => {
        throw new SourceError(options.source, `listing ${where.bucket}/${where.prefix} failed`, {
          cause: error,
        });
      });
    yield* page.Contents ?? [];
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}
