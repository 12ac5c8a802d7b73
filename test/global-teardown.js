require('tsx/cjs/api').register();
const { stopContainers } = require('../libs/testkit/src/containers.ts');
module.exports = async () => {
  await stopContainers();
};
