import { packageProject } from '../../vitest.shared.js';

export default packageProject('t2d-usb');
