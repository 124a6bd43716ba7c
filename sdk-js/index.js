'use strict';
// @zatabase/sdk (CommonJS entry; index.mjs is the ESM one, index.d.ts the types).
const { Cache } = require('./cache');
const { ZatabaseClient } = require('./client');
const { ManualClock } = require('./native');
const { cacheStatusHeader } = require('./status');
const errors = require('./errors');

const { nativeErrorClasses, ...publicErrors } = errors;

module.exports = { Cache, ZatabaseClient, ManualClock, cacheStatusHeader, ...publicErrors };
