import { startEmbeddedBroker } from '../src/embedded-broker.js';
import { mosquittoAvailable, startMosquitto } from './helpers/mosquitto.js';
import { transportSuite } from './transport-suite.js';

transportSuite(
  'the embedded aedes broker (MQTT 3.1.1)',
  { protocolVersion: 4, sharedSubscriptions: false },
  async () => {
    const broker = await startEmbeddedBroker();
    return { url: broker.url, close: () => broker.close() };
  },
);

// Mosquitto always: the one in MQTT_URL when set (CI's second run), else a private one.
const mqttUrl = process.env.MQTT_URL;
if (mqttUrl || mosquittoAvailable()) {
  transportSuite(
    `Mosquitto (${mqttUrl ? 'MQTT_URL' : 'private instance'}, MQTT 5)`,
    { protocolVersion: 5, sharedSubscriptions: true },
    async () => {
      if (mqttUrl) return { url: mqttUrl, close: async () => {} };
      const broker = await startMosquitto();
      return { url: broker.url, close: () => broker.stop() };
    },
  );
}
