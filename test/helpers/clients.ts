/**
 * Real AWS clients as tests use them: the aws CLI (v1 on PATH, v2 at /usr/bin/aws) and boto3,
 * spawned with a temporary HOME and only the environment we give them; the AWS SDK for
 * JavaScript in process. A missing client fails the test (CI installs them all).
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import type { Credentials } from "./server.js";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], env: Record<string, string>, input?: string, cwd?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/** A clean environment for a client: temporary HOME, no config files, only these credentials. */
export function clientEnv(creds: Credentials | undefined, extra: Record<string, string> = {}): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), "mfa-sts-home-"));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    AWS_CONFIG_FILE: join(home, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_PAGER: "",
    AWS_EC2_METADATA_DISABLED: "true",
    ...extra,
  };
  if (creds) {
    env.AWS_ACCESS_KEY_ID = creds.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = creds.secretAccessKey;
    if (creds.sessionToken !== undefined) env.AWS_SESSION_TOKEN = creds.sessionToken;
  }
  return env;
}

export const AWS_CLIS = [
  { name: "aws CLI v1", command: "aws" },
  { name: "aws CLI v2", command: "/usr/bin/aws" },
] as const;

export function awsCli(command: string, url: string, creds: Credentials | undefined, args: string[]): Promise<Run> {
  return run(command, ["--endpoint-url", url, "--output", "json", ...args], clientEnv(creds));
}

/** boto3 in one python process: `script` gets `sts`, `iam`, `json` and prints what it wants. */
export function boto3(url: string, creds: Credentials, script: string): Promise<Run> {
  const prelude = [
    "import boto3, json, botocore",
    `s = boto3.session.Session(aws_access_key_id=${JSON.stringify(creds.accessKeyId)}, aws_secret_access_key=${JSON.stringify(creds.secretAccessKey)}, aws_session_token=${creds.sessionToken === undefined ? "None" : JSON.stringify(creds.sessionToken)}, region_name='us-east-1')`,
    `cfg = botocore.config.Config(retries={'max_attempts': 1})`,
    `sts = s.client('sts', endpoint_url=${JSON.stringify(url)}, config=cfg)`,
    `iam = s.client('iam', endpoint_url=${JSON.stringify(url)}, config=cfg)`,
    "def err(f):",
    "    try:",
    "        f()",
    "        return None",
    "    except botocore.exceptions.ClientError as e:",
    "        return [e.response['ResponseMetadata']['HTTPStatusCode'], e.response['Error']['Code'], e.response['Error']['Message']]",
  ].join("\n");
  return run("python3", ["-c", `${prelude}\n${script}`], clientEnv(undefined));
}

export function sdkClients(url: string, creds: Credentials): { sts: STSClient; iam: IAMClient } {
  const config = { endpoint: url, region: "us-east-1", credentials: creds, maxAttempts: 1 };
  return { sts: new STSClient(config), iam: new IAMClient(config) };
}

/** The AWS error an SDK call failed with, as { status, code, message }. */
export async function sdkError(call: Promise<unknown>): Promise<{ status: number | undefined; code: string; message: string }> {
  try {
    await call;
  } catch (e) {
    // `Code` is the wire code; `name` is the SDK's class name for modeled errors.
    const err = e as { Code?: string; name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { status: err.$metadata?.httpStatusCode, code: err.Code ?? err.name, message: err.message };
  }
  throw new Error("expected the call to fail");
}
