/** What the AWS service's tests share: loopback SDK settings and the variables of a minimal deployment. */
export const LOCAL_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 1,
};

/** Nothing listens here: every AWS read fails at once, as when a permission is missing. */
export const NOWHERE = 'http://127.0.0.1:9';

export const AWS_TEST_ENV = {
  COPILOT_MODE: 'aws',
  COPILOT_PORT: '0',
  COPILOT_TABLE: 'copilot',
  COPILOT_LOG_BUCKET: 'logs',
  COPILOT_ADMIN_API_URL: 'https://api.example.com',
  COPILOT_IDENTITY_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example',
  COPILOT_SERVICE_TOKEN_URL: 'https://readers.auth.us-east-1.amazoncognito.com/oauth2/token',
  COPILOT_SERVICE_CLIENT_ID: 'client',
  COPILOT_SERVICE_CLIENT_SECRET: 'secret',
};
