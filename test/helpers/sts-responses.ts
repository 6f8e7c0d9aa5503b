/** Recorded STS response bodies (spec §3, §4.1) that fixture servers answer with. */

export const STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";

export const EXAMPLE_CREDENTIALS = {
  AccessKeyId: "ASIAIOSFODNN7EXAMPLE",
  SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
  SessionToken: "AQoEXAMPLEH4aoAH0gNCAPy",
};

export function getSessionTokenXml(expiration = "2011-07-11T19:55:29.611Z"): string {
  return `<GetSessionTokenResponse xmlns="${STS_NS}">
  <GetSessionTokenResult>
    <Credentials>
      <AccessKeyId>${EXAMPLE_CREDENTIALS.AccessKeyId}</AccessKeyId>
      <SecretAccessKey>${EXAMPLE_CREDENTIALS.SecretAccessKey}</SecretAccessKey>
      <SessionToken>${EXAMPLE_CREDENTIALS.SessionToken}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
  </GetSessionTokenResult>
  <ResponseMetadata>
    <RequestId>58c5dbae-abef-11e0-8cfe-09039844ac7d</RequestId>
  </ResponseMetadata>
</GetSessionTokenResponse>
`;
}

export const GET_CALLER_IDENTITY_XML = `<GetCallerIdentityResponse xmlns="${STS_NS}">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/Alice</Arn>
    <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`;

export const errorXml = (code: string, message: string): string =>
  `<ErrorResponse xmlns="${STS_NS}">\n  <Error>\n    <Type>Sender</Type>\n    <Code>${code}</Code>\n    <Message>${message}</Message>\n  </Error>\n  <RequestId>16fc956c-311e-4199-bee1-1680236e9698</RequestId>\n</ErrorResponse>\n`;
