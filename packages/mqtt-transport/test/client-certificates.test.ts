import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { closeConnection, openConnection } from '../src/connection.js';
import { createDynamicSecurityConfig, DynamicSecurityAdmin } from '../src/dynamic-security.js';
import { makeTestCertificates } from './helpers/certificates.js';
import { mosquittoAvailable, startMosquitto } from './helpers/mosquitto.js';

const secret = () => randomBytes(18).toString('base64url');

describe.skipIf(!mosquittoAvailable())('sites with TLS client certificates on Mosquitto 2.0', () => {
  it('with require_certificate and dynamic-security passwords: both are needed, and disabling still cuts off', async () => {
    const certificates = await makeTestCertificates(['S001', 'admin']);
    const adminPassword = secret();
    const sitePassword = secret();
    await using broker = await startMosquitto({
      tls: certificates,
      dynamicSecurity: createDynamicSecurityConfig({ adminUsername: 'admin', adminPassword }),
      extra: ['require_certificate true'],
    });
    const url = `mqtts://127.0.0.1:${broker.port}`;
    const tls = { url, ca: certificates.ca, ...certificates.clients.admin! };
    const admin = await DynamicSecurityAdmin.connect({ ...tls, username: 'admin', password: adminPassword });
    try {
      await admin.provisionSite('srv', 'S001', sitePassword);
      const site = { url, ca: certificates.ca, username: 'S001', ...certificates.clients.S001! };
      const { client } = await openConnection(
        { ...site, password: sitePassword },
        { clientId: 'S001', clean: true },
      );
      await closeConnection(client);
      await expect(
        openConnection(
          { url, ca: certificates.ca, username: 'S001', password: sitePassword },
          { clientId: 'S001', clean: true },
        ),
      ).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
      await expect(
        openConnection({ ...site, password: 'wrong' }, { clientId: 'S001', clean: true }),
      ).rejects.toMatchObject({
        code: 'NOT_AUTHORIZED',
      });
      await admin.disableSite('S001');
      await expect(
        openConnection({ ...site, password: sitePassword }, { clientId: 'S001', clean: true }),
      ).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    } finally {
      await admin.close();
    }
  });

  it('known limitation: with use_identity_as_username the plugin never sees the login (docs/broker-setup.md)', async () => {
    const certificates = await makeTestCertificates(['S001', 'S002', 'admin']);
    await using broker = await startMosquitto({
      tls: certificates,
      dynamicSecurity: createDynamicSecurityConfig({ adminUsername: 'admin', adminPassword: secret() }),
      extra: ['require_certificate true', 'use_identity_as_username true'],
    });
    const url = `mqtts://127.0.0.1:${broker.port}`;
    const admin = await DynamicSecurityAdmin.connect({
      url,
      ca: certificates.ca,
      ...certificates.clients.admin!,
    });
    try {
      await admin.provisionSite('srv', 'S001', secret());
      await admin.disableSite('S001');
      // A disabled site, and a certificate with no account at all, still connect: only a CRL stops them.
      const disabled = await openConnection(
        { url, ca: certificates.ca, ...certificates.clients.S001! },
        { clientId: 'S001', clean: true },
      );
      const unknown = await openConnection(
        { url, ca: certificates.ca, ...certificates.clients.S002! },
        { clientId: 'S001-not-mine', clean: true },
      );
      await closeConnection(disabled.client, true);
      await closeConnection(unknown.client, true);
    } finally {
      await admin.close();
    }
  });
});
