/**
 * Example: an MFA-protected code path tested against a real mfa-sts server started in the test
 * process, with @aws-sdk/client-sts. No AWS account, no sleeping: the server's clock is the test's.
 */
import { GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { startServer } from "mfa-sts";
import { expect, test } from "vitest";

test("a session made with an MFA code works, once per code, until it expires", async () => {
  let now = Date.now();
  await using srv = await startServer({ clock: () => now });
  const alice = await srv.createUser("alice", { mfa: true });

  const sts = new STSClient({ endpoint: srv.url, region: "us-east-1", credentials: srv.credentials(alice) });
  const code = await alice.code();
  const { Credentials } = await sts.send(new GetSessionTokenCommand({ SerialNumber: alice.mfaSerial, TokenCode: code, DurationSeconds: 900 }));
  const session = {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken!,
  };
  const asSession = new STSClient({ endpoint: srv.url, region: "us-east-1", credentials: session });
  expect((await asSession.send(new GetCallerIdentityCommand({}))).Arn).toBe(alice.arn);

  // AWS accepts each code once.
  await expect(sts.send(new GetSessionTokenCommand({ SerialNumber: alice.mfaSerial, TokenCode: code }))).rejects.toThrow(
    "MultiFactorAuthentication failed with invalid MFA one time pass code.",
  );

  // Fifteen minutes later the session has expired (the client signs at the server's time too).
  now += 901_000;
  const later = new STSClient({ endpoint: srv.url, region: "us-east-1", credentials: session, systemClockOffset: now - Date.now() });
  await expect(later.send(new GetCallerIdentityCommand({}))).rejects.toThrow("The security token included in the request is expired");
});
