/**
 * Example: an application on the AWS SDK for JavaScript v3 that shares `mfa-sts login`'s session
 * profile. One MFA code per session — for this process, the next one, and the CLI.
 *
 *   node examples/mfa-session.js
 *
 * The STS here is a server started in this process with a user that has an MFA device; against
 * AWS, drop `endpoint` and let `mfaCodeProvider` ask a person.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromMfaSession, startServer } from "mfa-sts";

const srv = await startServer();
const files = mkdtempSync(join(tmpdir(), "mfa-session-example-"));
try {
  const alice = await srv.createUser("alice", { mfa: true });

  // What a `mfa-sts login` user has: the long-term key in [work-long-term], the device in [profile work].
  const credentialsFile = join(files, "credentials");
  const configFile = join(files, "config");
  writeFileSync(credentialsFile, `[work-long-term]\naws_access_key_id = ${alice.accessKeyId}\naws_secret_access_key = ${alice.secretAccessKey}\n`);
  writeFileSync(configFile, `[profile work]\nmfa_serial = ${alice.mfaSerial}\nregion = us-east-1\n`);

  const credentials = fromMfaSession({
    profile: "work",
    filepath: credentialsFile,
    configFilepath: configFile,
    endpoint: srv.url,
    mfaCodeProvider: async (serial) => {
      console.log(`asked for a code for ${serial}`);
      return alice.code(); // a person would type it in
    },
  });
  const sts = new STSClient({ endpoint: srv.url, region: "us-east-1", credentials });
  const me = await sts.send(new GetCallerIdentityCommand({}));
  console.log(`called as ${me.Arn}`);

  // The session is in [work] now, where the CLI and the next process find it.
  const written = readFileSync(credentialsFile, "utf8");
  console.log(`[work] holds a session until ${/aws_credential_expiration = (\S+)/.exec(written)?.[1]}`);
  console.log(`asking again reuses it: ${(await credentials()).accessKeyId === (await credentials()).accessKeyId}`);
} finally {
  await srv.close();
  rmSync(files, { recursive: true, force: true });
}
