import type { Device } from '../domain/model.ts';
import { DeliveryError } from '../errors.ts';
import { traced } from '../telemetry/telemetry.ts';
import { audit, iso } from './admin-support.ts';
import { type DeliveryApp, type DeliveryRoute, defineRoute } from './route.ts';
import { deviceParams, deviceRegistration } from './schemas.ts';

const present = (device: Device) => ({
  deviceId: device.deviceId,
  name: device.name,
  platform: device.platform,
  registeredAt: iso(device.registeredAt),
});

async function deviceLimitOf(app: DeliveryApp, accountId: string): Promise<number> {
  const account = await app.store.accounts.getAccount(accountId);
  return account?.kind === 'reader' && account.deviceLimit ? account.deviceLimit : app.limits.deviceLimit;
}

export function deviceRoutes(app: DeliveryApp): DeliveryRoute[] {
  return [
    defineRoute(
      {
        routeKey: 'POST /v1/devices',
        functionName: 'delivery-register-device',
        readerFacing: true,
        body: deviceRegistration,
        async handle(request) {
          const { accountId } = request.principal;
          const limit = await deviceLimitOf(app, accountId);
          const device: Device = {
            accountId,
            deviceId: request.body.deviceId,
            name: request.body.name ?? request.body.deviceId,
            platform: request.body.platform ?? 'unknown',
            registeredAt: request.now,
          };
          const outcome = await traced(request.telemetry.tracer, 'registerDevice', () =>
            app.store.accounts.registerDevice(device, limit),
          );
          if (outcome === 'limit_reached') {
            request.count('DeviceLimitReached');
            throw new DeliveryError(
              'device_limit_reached',
              `this account already has ${limit} registered devices`,
              {
                details: { limit },
              },
            );
          }
          if (outcome === 'already_held') {
            const existing = await app.store.accounts.getDevice(accountId, device.deviceId);
            return { statusCode: 200, body: { device: present(existing ?? device), created: false } };
          }
          await audit(request, app, 'device.registered', { accountId, deviceId: device.deviceId });
          request.count('DeviceRegistered');
          return { statusCode: 201, body: { device: present(device), created: true } };
        },
      },
      app,
    ),
    defineRoute(
      {
        routeKey: 'GET /v1/devices',
        functionName: 'delivery-list-devices',
        readerFacing: true,
        async handle(request) {
          const { accountId } = request.principal;
          const [devices, limit] = await Promise.all([
            app.store.accounts.listDevices(accountId),
            deviceLimitOf(app, accountId),
          ]);
          return { statusCode: 200, body: { devices: devices.map(present), limit } };
        },
      },
      app,
    ),
    defineRoute(
      {
        routeKey: 'DELETE /v1/devices/{deviceId}',
        functionName: 'delivery-remove-device',
        readerFacing: true,
        params: deviceParams,
        async handle(request) {
          const { accountId } = request.principal;
          const { deviceId } = request.params;
          const removed = await app.store.accounts.removeDevice(accountId, deviceId);
          if (!removed) throw new DeliveryError('not_found', 'no such device on this account');
          await audit(request, app, 'device.removed', { accountId, deviceId });
          return { statusCode: 204 };
        },
      },
      app,
    ),
  ];
}
