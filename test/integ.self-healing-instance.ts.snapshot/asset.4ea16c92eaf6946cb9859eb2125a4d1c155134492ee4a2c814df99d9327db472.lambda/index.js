"use strict";
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

// src/failover/reconcile.lambda.ts
var reconcile_lambda_exports = {};
__export(reconcile_lambda_exports, {
  createHandler: () => createHandler,
  handler: () => handler
});
module.exports = __toCommonJS(reconcile_lambda_exports);

// node_modules/@aws-lambda-powertools/logger/lib/esm/constants.js
var LogJsonIndent = {
  PRETTY: 4,
  COMPACT: 0
};
var LogLevelThreshold = {
  TRACE: 6,
  DEBUG: 8,
  INFO: 12,
  WARN: 16,
  ERROR: 20,
  CRITICAL: 24,
  SILENT: 28
};
var ReservedKeys = [
  "level",
  "message",
  "sampling_rate",
  "service",
  "timestamp"
];
var UncaughtErrorLogMessage = "Uncaught error detected, flushing log buffer before exit";

// node_modules/@aws/lambda-invoke-store/dist-es/invoke-store.js
var PROTECTED_KEYS = {
  REQUEST_ID: /* @__PURE__ */ Symbol.for("_AWS_LAMBDA_REQUEST_ID"),
  X_RAY_TRACE_ID: /* @__PURE__ */ Symbol.for("_AWS_LAMBDA_X_RAY_TRACE_ID"),
  TENANT_ID: /* @__PURE__ */ Symbol.for("_AWS_LAMBDA_TENANT_ID"),
  TRACEPARENT: /* @__PURE__ */ Symbol.for("_AWS_LAMBDA_TRACEPARENT"),
  TRACESTATE: /* @__PURE__ */ Symbol.for("_AWS_LAMBDA_TRACESTATE"),
  BAGGAGE: /* @__PURE__ */ Symbol.for("_AWS_LAMBDA_BAGGAGE")
};
var NO_GLOBAL_AWS_LAMBDA = ["true", "1"].includes(process.env?.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA ?? "");
if (!NO_GLOBAL_AWS_LAMBDA) {
  globalThis.awslambda = globalThis.awslambda || {};
}
var InvokeStoreBase = class {
  static PROTECTED_KEYS = PROTECTED_KEYS;
  isProtectedKey(key) {
    return Object.values(PROTECTED_KEYS).includes(key);
  }
  getRequestId() {
    return this.get(PROTECTED_KEYS.REQUEST_ID) ?? "-";
  }
  getXRayTraceId() {
    return this.get(PROTECTED_KEYS.X_RAY_TRACE_ID);
  }
  getTenantId() {
    return this.get(PROTECTED_KEYS.TENANT_ID);
  }
  getTraceparent() {
    return this.get(PROTECTED_KEYS.TRACEPARENT);
  }
  getTracestate() {
    return this.get(PROTECTED_KEYS.TRACESTATE);
  }
  getBaggage() {
    return this.get(PROTECTED_KEYS.BAGGAGE);
  }
};
var InvokeStoreSingle = class extends InvokeStoreBase {
  currentContext;
  getContext() {
    return this.currentContext;
  }
  hasContext() {
    return this.currentContext !== void 0;
  }
  get(key) {
    return this.currentContext?.[key];
  }
  set(key, value) {
    if (this.isProtectedKey(key)) {
      throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    }
    this.currentContext = this.currentContext || {};
    this.currentContext[key] = value;
  }
  run(context, fn) {
    this.currentContext = context;
    return fn();
  }
};
var InvokeStoreMulti = class _InvokeStoreMulti extends InvokeStoreBase {
  als;
  static async create() {
    const instance = new _InvokeStoreMulti();
    const asyncHooks = await import("node:async_hooks");
    instance.als = new asyncHooks.AsyncLocalStorage();
    return instance;
  }
  getContext() {
    return this.als.getStore();
  }
  hasContext() {
    return this.als.getStore() !== void 0;
  }
  get(key) {
    return this.als.getStore()?.[key];
  }
  set(key, value) {
    if (this.isProtectedKey(key)) {
      throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    }
    const store = this.als.getStore();
    if (!store) {
      throw new Error("No context available");
    }
    store[key] = value;
  }
  run(context, fn) {
    return this.als.run(context, fn);
  }
};
var InvokeStore;
(function(InvokeStore2) {
  let instance = null;
  async function getInstanceAsync(forceInvokeStoreMulti) {
    if (!instance) {
      instance = (async () => {
        const isMulti = forceInvokeStoreMulti === true || "AWS_LAMBDA_MAX_CONCURRENCY" in process.env;
        const newInstance = isMulti ? await InvokeStoreMulti.create() : new InvokeStoreSingle();
        if (!NO_GLOBAL_AWS_LAMBDA && globalThis.awslambda?.InvokeStore) {
          return globalThis.awslambda.InvokeStore;
        } else if (!NO_GLOBAL_AWS_LAMBDA && globalThis.awslambda) {
          globalThis.awslambda.InvokeStore = newInstance;
          return newInstance;
        } else {
          return newInstance;
        }
      })();
    }
    return instance;
  }
  InvokeStore2.getInstanceAsync = getInstanceAsync;
  InvokeStore2._testing = process.env.AWS_LAMBDA_BENCHMARK_MODE === "1" ? {
    reset: () => {
      instance = null;
      if (globalThis.awslambda?.InvokeStore) {
        delete globalThis.awslambda.InvokeStore;
      }
      globalThis.awslambda = { InvokeStore: void 0 };
    }
  } : void 0;
})(InvokeStore || (InvokeStore = {}));

// node_modules/@aws-lambda-powertools/commons/lib/esm/constants.js
var AWS_LAMBDA_INITIALIZATION_TYPE_ENV_VAR = "AWS_LAMBDA_INITIALIZATION_TYPE";
var AWS_LAMBDA_MAX_CONCURRENCY = "AWS_LAMBDA_MAX_CONCURRENCY";
var POWERTOOLS_DEV_ENV_VAR = "POWERTOOLS_DEV";
var POWERTOOLS_SERVICE_NAME_ENV_VAR = "POWERTOOLS_SERVICE_NAME";
var XRAY_TRACE_ID_ENV_VAR = "_X_AMZN_TRACE_ID";

// node_modules/@aws-lambda-powertools/commons/lib/esm/envUtils.js
var getStringFromEnv = ({ key, defaultValue, errorMessage }) => {
  const value = process.env[key];
  if (value === void 0) {
    if (defaultValue !== void 0) {
      return defaultValue;
    }
    if (errorMessage) {
      throw new Error(errorMessage);
    }
    throw new Error(`Environment variable ${key} is required`);
  }
  return value.trim();
};
var getNumberFromEnv = ({ key, defaultValue, errorMessage }) => {
  const value = getStringFromEnv({
    key,
    defaultValue: String(defaultValue),
    errorMessage
  });
  const parsedValue = Number(value);
  if (Number.isNaN(parsedValue)) {
    throw new TypeError(`Environment variable ${key} must be a number`);
  }
  return parsedValue;
};
var truthyValues = /* @__PURE__ */ new Set(["1", "y", "yes", "t", "true", "on"]);
var falsyValues = /* @__PURE__ */ new Set(["0", "n", "no", "f", "false", "off"]);
var getBooleanFromEnv = ({ key, defaultValue, errorMessage, extendedParsing }) => {
  const value = getStringFromEnv({
    key,
    defaultValue: String(defaultValue),
    errorMessage
  });
  const parsedValue = value.toLowerCase();
  if (extendedParsing) {
    if (truthyValues.has(parsedValue)) {
      return true;
    }
    if (falsyValues.has(parsedValue)) {
      return false;
    }
  }
  if (parsedValue !== "true" && parsedValue !== "false") {
    throw new Error(`Environment variable ${key} must be a boolean`);
  }
  return parsedValue === "true";
};
var isDevMode = () => {
  try {
    return getBooleanFromEnv({
      key: POWERTOOLS_DEV_ENV_VAR,
      extendedParsing: true
    });
  } catch {
    return false;
  }
};
var getServiceName = () => {
  return getStringFromEnv({
    key: POWERTOOLS_SERVICE_NAME_ENV_VAR,
    defaultValue: ""
  });
};
var getXrayTraceDataFromEnv = () => {
  const xRayTraceEnv = globalThis.awslambda?.InvokeStore?.getXRayTraceId() ?? getStringFromEnv({
    key: XRAY_TRACE_ID_ENV_VAR,
    defaultValue: ""
  });
  if (xRayTraceEnv === "") {
    return void 0;
  }
  if (!xRayTraceEnv.includes("=")) {
    return {
      Root: xRayTraceEnv
    };
  }
  const xRayTraceData = {};
  for (const field of xRayTraceEnv.split(";")) {
    const [key, value] = field.split("=");
    xRayTraceData[key] = value;
  }
  return xRayTraceData;
};
var shouldUseInvokeStore = () => {
  const res = getStringFromEnv({
    key: AWS_LAMBDA_MAX_CONCURRENCY,
    defaultValue: ""
  });
  return res !== "";
};
var getXRayTraceIdFromEnv = () => {
  const xRayTraceData = getXrayTraceDataFromEnv();
  return xRayTraceData?.Root;
};

// node_modules/@aws-lambda-powertools/logger/lib/esm/formatter/LogFormatter.js
var LogFormatter = class {
  /**
   * Whether a warning about an unresolvable timezone has already been emitted,
   * used to avoid logging the same warning on every formatted log entry.
   */
  #timezoneWarningEmitted = false;
  /**
   * Format an error into a loggable object.
   *
   * @example
   * ```json
   * {
   *   "name": "Error",
   *   "location": "file.js:1",
   *   "message": "An error occurred",
   *   "stack": "Error: An error occurred\n    at file.js:1\n    at file.js:2\n    at file.js:3",
   *   "cause": {
   *     "name": "OtherError",
   *     "location": "file.js:2",
   *     "message": "Another error occurred",
   *     "stack": "Error: Another error occurred\n    at file.js:2\n    at file.js:3\n    at file.js:4"
   *   }
   * }
   * ```
   *
   * @param error - Error to format
   */
  formatError(error) {
    const { name, message, stack, cause, ...errorAttributes } = error;
    const formattedError = {
      name,
      location: this.getCodeLocation(error.stack),
      message,
      stack: isDevMode() && typeof stack === "string" ? stack?.split("\n") : stack,
      cause: cause instanceof Error ? this.formatError(cause) : cause
    };
    for (const key in error) {
      if (typeof key === "string" && !["name", "message", "stack", "cause"].includes(key)) {
        formattedError[key] = errorAttributes[key];
      }
    }
    return formattedError;
  }
  /**
   * Format a date into an ISO 8601 string with the configured timezone.
   *
   * The timezone is read from the `TZ` environment variable, if present.
   * Otherwise, the timezone defaults to ':UTC'.
   *
   * @param now - The date to format
   */
  formatTimestamp(now) {
    const defaultTimezone = "UTC";
    const configuredTimezone = getStringFromEnv({
      key: "TZ",
      defaultValue: ""
    });
    if (configuredTimezone && !configuredTimezone.includes(defaultTimezone))
      return this.#generateISOTimestampWithOffset(now, configuredTimezone);
    return now.toISOString();
  }
  /**
   * Get the location of an error from a stack trace.
   *
   * @param stack - stack trace to parse
   */
  getCodeLocation(stack) {
    if (!stack) {
      return "";
    }
    const stackLines = stack.split("\n");
    const regex = /\(([^()]*?):(\d+?):(\d+?)\)\\?$/;
    for (const item of stackLines) {
      const match = regex.exec(item);
      if (Array.isArray(match)) {
        return `${match[1]}:${Number(match[2])}`;
      }
    }
    return "";
  }
  /**
   * Resolve the time zone to use for formatting timestamps.
   *
   * Validation is delegated to `Intl.DateTimeFormat` itself, so both canonical
   * identifiers (e.g. `Asia/Calcutta`) and their aliases (e.g. `Asia/Kolkata`)
   * are accepted.
   *
   * If the provided time zone cannot be resolved - e.g. `TZ` is set to
   * `:/etc/localtime` in certain Docker images - we fall back to UTC and emit
   * a one-time warning.
   *
   * @param timezone - IANA time zone identifier (e.g., "Asia/Dhaka").
   */
  #resolveTimezone = (timezone) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: timezone });
      return timezone;
    } catch {
      if (!this.#timezoneWarningEmitted) {
        this.#timezoneWarningEmitted = true;
        console.warn(`Invalid or unresolvable time zone: "${timezone}" - falling back to UTC.`);
      }
      return "UTC";
    }
  };
  /**
   * Create a new Intl.DateTimeFormat object configured with the specified time zone
   * and formatting options.
   *
   * The time is displayed in 24-hour format (hour12: false).
   *
   * @param timezone - resolvable IANA time zone identifier (e.g., "Asia/Dhaka").
   */
  #getDateFormatter = (timezone) => {
    const twoDigitFormatOption = "2-digit";
    return new Intl.DateTimeFormat("en", {
      hourCycle: "h23",
      year: "numeric",
      month: twoDigitFormatOption,
      day: twoDigitFormatOption,
      hour: twoDigitFormatOption,
      minute: twoDigitFormatOption,
      second: twoDigitFormatOption,
      timeZone: timezone
    });
  };
  /**
   * Generate an ISO 8601 timestamp string with the specified time zone and the local time zone offset.
   *
   * If the time zone cannot be resolved, both the date/time digits and the offset
   * fall back to UTC so that the emitted timestamp always denotes the correct instant.
   *
   * @param date - date to format
   * @param timezone - IANA time zone identifier (e.g., "Asia/Dhaka").
   */
  #generateISOTimestampWithOffset(date, timezone) {
    const resolvedTimezone = this.#resolveTimezone(timezone);
    const { year, month, day, hour, minute, second } = this.#getDateFormatter(resolvedTimezone).formatToParts(date).reduce((acc, item) => {
      acc[item.type] = item.value;
      return acc;
    }, {});
    const datePart = `${year}-${month}-${day}T${hour}:${minute}:${second}`;
    const offset = resolvedTimezone === timezone ? -date.getTimezoneOffset() : 0;
    const offsetSign = offset >= 0 ? "+" : "-";
    const offsetHours = Math.abs(Math.floor(offset / 60)).toString().padStart(2, "0");
    const offsetMinutes = Math.abs(offset % 60).toString().padStart(2, "0");
    const millisecondPart = date.getMilliseconds().toString().padStart(3, "0");
    const offsetPart = `${offsetSign}${offsetHours}:${offsetMinutes}`;
    return `${datePart}.${millisecondPart}${offsetPart}`;
  }
};

// node_modules/@aws-lambda-powertools/commons/lib/esm/version.js
var PT_VERSION = "2.36.0";

// node_modules/@aws-lambda-powertools/commons/lib/esm/awsSdkUtils.js
var EXEC_ENV = process.env.AWS_EXECUTION_ENV || "NA";

// node_modules/@aws-lambda-powertools/commons/lib/esm/deepMerge.js
var UNSAFE_KEYS = /* @__PURE__ */ new Set(["__proto__", "constructor"]);
var isPlainObject = (value) => {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};
var cloneItem = (srcItem, ancestors) => {
  if (isPlainObject(srcItem)) {
    const cloned = {};
    ancestors.push(srcItem);
    mergeRecursive(cloned, srcItem, ancestors);
    ancestors.pop();
    return { skip: false, value: cloned };
  }
  if (Array.isArray(srcItem)) {
    if (ancestors.includes(srcItem))
      return { skip: true };
    const cloned = [];
    ancestors.push(srcItem);
    mergeArrayItemsByIndex(cloned, srcItem, ancestors);
    ancestors.pop();
    return { skip: false, value: cloned };
  }
  return { skip: false, value: srcItem };
};
var mergeArrayItem = (targetArray, index, srcItem, ancestors) => {
  const tgtItem = targetArray[index];
  const isSrcPlainObject = isPlainObject(srcItem);
  if (isSrcPlainObject && ancestors.includes(srcItem))
    return;
  if (isSrcPlainObject && isPlainObject(tgtItem)) {
    ancestors.push(srcItem);
    mergeRecursive(tgtItem, srcItem, ancestors);
    ancestors.pop();
    return;
  }
  if (Array.isArray(srcItem) && Array.isArray(tgtItem)) {
    if (!ancestors.includes(srcItem)) {
      ancestors.push(srcItem);
      mergeArrayItemsByIndex(tgtItem, srcItem, ancestors);
      ancestors.pop();
    }
    return;
  }
  if (srcItem !== void 0 || tgtItem === void 0) {
    const result = cloneItem(srcItem, ancestors);
    if (!result.skip) {
      targetArray[index] = result.value;
    }
  }
};
var mergeArrayItemsByIndex = (targetArray, sourceArray, ancestors) => {
  for (let i = 0; i < sourceArray.length; i++) {
    mergeArrayItem(targetArray, i, sourceArray[i], ancestors);
  }
};
var handleArrayMerge = (target, key, sourceArray, targetValue, ancestors) => {
  if (!Array.isArray(targetValue)) {
    const freshArray = [];
    mergeArrayItemsByIndex(freshArray, sourceArray, ancestors);
    target[key] = freshArray;
    return;
  }
  mergeArrayItemsByIndex(targetValue, sourceArray, ancestors);
};
var handleObjectMerge = (target, key, sourceObject, targetValue, ancestors) => {
  if (isPlainObject(targetValue)) {
    mergeRecursive(targetValue, sourceObject, ancestors);
    return;
  }
  const newTarget = {};
  mergeRecursive(newTarget, sourceObject, ancestors);
  target[key] = newTarget;
};
var mergeRecursive = (target, source, ancestors) => {
  for (const key of Object.keys(source)) {
    if (UNSAFE_KEYS.has(key)) {
      continue;
    }
    const sourceValue = source[key];
    const targetValue = target[key];
    if (Array.isArray(sourceValue)) {
      if (ancestors.includes(sourceValue))
        continue;
      ancestors.push(sourceValue);
      handleArrayMerge(target, key, sourceValue, targetValue, ancestors);
      ancestors.pop();
      continue;
    }
    if (isPlainObject(sourceValue)) {
      if (ancestors.includes(sourceValue))
        continue;
      ancestors.push(sourceValue);
      handleObjectMerge(target, key, sourceValue, targetValue, ancestors);
      ancestors.pop();
      continue;
    }
    if (sourceValue !== void 0 || targetValue === void 0) {
      target[key] = sourceValue;
    }
  }
};
var deepMerge = (target, ...sources) => {
  const ancestors = [target];
  for (const source of sources) {
    if (source != null) {
      ancestors.push(source);
      mergeRecursive(target, source, ancestors);
      ancestors.pop();
    }
  }
  return target;
};

// node_modules/@aws-lambda-powertools/commons/lib/esm/middleware/constants.js
var PREFIX = "powertools-for-aws";
var TRACER_KEY = `${PREFIX}.tracer`;
var METRICS_KEY = `${PREFIX}.metrics`;
var LOGGER_KEY = `${PREFIX}.logger`;
var IDEMPOTENCY_KEY = `${PREFIX}.idempotency`;

// node_modules/@aws-lambda-powertools/commons/lib/esm/typeUtils.js
var isString = (value) => {
  return typeof value === "string";
};
var isNumber = (value) => {
  return typeof value === "number";
};
var isIntegerNumber = (value) => {
  return isNumber(value) && Number.isInteger(value);
};
var isNull = (value) => {
  return Object.is(value, null);
};
var isNullOrUndefined = (value) => {
  return isNull(value) || Object.is(value, void 0);
};
var isStringUndefinedNullEmpty = (value) => {
  if (isNullOrUndefined(value))
    return true;
  if (!isString(value))
    return true;
  if (value.trim().length === 0)
    return true;
  return false;
};

// node_modules/@aws-lambda-powertools/commons/lib/esm/Utility.js
var Utility = class {
  #initializationType;
  coldStart = true;
  defaultServiceName = "service_undefined";
  constructor() {
    this.#initializationType = this.getInitializationType();
    if (this.#initializationType !== "on-demand") {
      this.coldStart = false;
    }
  }
  /**
   * Get the value of the `AWS_LAMBDA_INITIALIZATION_TYPE` environment variable.
   */
  getInitializationType() {
    const envVarValue = process.env[AWS_LAMBDA_INITIALIZATION_TYPE_ENV_VAR]?.trim();
    if (envVarValue === "on-demand") {
      return "on-demand";
    }
    if (envVarValue === "provisioned-concurrency") {
      return "provisioned-concurrency";
    }
    return "unknown";
  }
  /**
   * Get the cold start status of the current execution environment.
   *
   * The method also flips the cold start status to `false` after the first invocation.
   */
  getColdStart() {
    if (this.#initializationType !== "on-demand") {
      return false;
    }
    if (this.coldStart) {
      this.coldStart = false;
      return true;
    }
    return false;
  }
  /**
   * Validate that the service name provided is valid.
   * Used internally during initialization.
   *
   * @param serviceName Service name to validate
   */
  isValidServiceName(serviceName) {
    return typeof serviceName === "string" && serviceName.trim().length > 0;
  }
};

// node_modules/@aws-lambda-powertools/commons/lib/esm/index.js
var env = process.env.AWS_EXECUTION_ENV || "NA";
if (!process.env.AWS_SDK_UA_APP_ID?.includes("/PTEnv/")) {
  const ptUserAgent = `PT/NO-OP/${PT_VERSION}/PTEnv/${env}`;
  process.env.AWS_SDK_UA_APP_ID = process.env.AWS_SDK_UA_APP_ID ? `${process.env.AWS_SDK_UA_APP_ID}/${ptUserAgent}` : ptUserAgent;
}

// node_modules/@aws-lambda-powertools/logger/lib/esm/formatter/LogItem.js
var LogItem = class {
  /**
   * The attributes of the log item.
   */
  attributes = {};
  /**
   * Constructor for LogItem.
   *
   * Attributes are added in the following order:
   * - Standard keys provided by the logger (e.g. `message`, `level`, `timestamp`)
   * - Persistent attributes provided by developer, not formatted (done later)
   * - Ephemeral attributes provided as parameters for a single log item (done later)
   *
   * @param params - The parameters for the LogItem.
   */
  constructor(params) {
    this.setAttributes(params.attributes);
  }
  /**
   * Add attributes to the log item.
   *
   * @param attributes - The attributes to add to the log item.
   */
  addAttributes(attributes) {
    deepMerge(this.attributes, attributes);
    return this;
  }
  /**
   * Get the attributes of the log item.
   */
  getAttributes() {
    return this.attributes;
  }
  /**
   * Prepare the log item for printing.
   *
   * This operation removes empty keys from the log item, see {@link removeEmptyKeys | removeEmptyKeys()} for more information.
   */
  prepareForPrint() {
    this.attributes = this.removeEmptyKeys(this.getAttributes());
  }
  /**
   * Remove empty keys from the log item, where empty keys are defined as keys with
   * values of `undefined`, empty strings (`''`), or `null`.
   *
   * @param attributes - The attributes to remove empty keys from.
   */
  removeEmptyKeys(attributes) {
    const newAttributes = {};
    for (const key in attributes) {
      if (attributes[key] !== void 0 && attributes[key] !== "" && attributes[key] !== null) {
        newAttributes[key] = attributes[key];
      }
    }
    return newAttributes;
  }
  /**
   * Replace the attributes of the log item.
   *
   * @param attributes - The attributes to set for the log item.
   */
  setAttributes(attributes) {
    this.attributes = attributes;
  }
};

// node_modules/@aws-lambda-powertools/logger/lib/esm/Logger.js
var import_node_console = require("node:console");
var import_node_crypto = require("node:crypto");

// node_modules/@aws-lambda-powertools/logger/lib/esm/formatter/PowertoolsLogFormatter.js
var PowertoolsLogFormatter = class extends LogFormatter {
  /**
   * List of keys to order log attributes by.
   *
   * This can be a set of keys or an array of keys.
   */
  #logRecordOrder;
  constructor(options) {
    super();
    this.#logRecordOrder = options?.logRecordOrder;
  }
  /**
   * It formats key-value pairs of log attributes.
   *
   * @param {UnformattedAttributes} attributes - unformatted attributes
   * @param {LogAttributes} additionalLogAttributes - additional log attributes
   */
  formatAttributes(attributes, additionalLogAttributes) {
    const baseAttributes = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: attributes.lambdaContext?.coldStart,
      function_arn: attributes.lambdaContext?.invokedFunctionArn,
      function_memory_size: attributes.lambdaContext?.memoryLimitInMB,
      function_name: attributes.lambdaContext?.functionName,
      function_request_id: attributes.lambdaContext?.awsRequestId,
      sampling_rate: attributes.sampleRateValue,
      xray_trace_id: attributes.xRayTraceId,
      tenant_id: attributes.lambdaContext?.tenantId
    };
    if (this.#logRecordOrder === void 0) {
      return new LogItem({ attributes: baseAttributes }).addAttributes(additionalLogAttributes);
    }
    const orderedAttributes = {};
    for (const key of this.#logRecordOrder) {
      if (key in baseAttributes && !(key in orderedAttributes)) {
        orderedAttributes[key] = baseAttributes[key];
      } else if (key in additionalLogAttributes && !(key in orderedAttributes)) {
        orderedAttributes[key] = additionalLogAttributes[key];
      }
    }
    for (const key in baseAttributes) {
      if (!(key in orderedAttributes)) {
        orderedAttributes[key] = baseAttributes[key];
      }
    }
    for (const key in additionalLogAttributes) {
      if (!(key in orderedAttributes)) {
        orderedAttributes[key] = additionalLogAttributes[key];
      }
    }
    const powertoolsLogItem = new LogItem({
      attributes: orderedAttributes
    });
    return powertoolsLogItem;
  }
};

// node_modules/@aws-lambda-powertools/commons/lib/esm/InvocationScoped.js
var InvocationScoped = class {
  /**
   * Key the boxed value is stored under in the InvokeStore, unique to this
   * instance.
   */
  #key;
  /**
   * Creates the value, either by calling the `fresh` factory or by handing back
   * the `initial` value.
   */
  #createValue;
  /**
   * Whether each invocation gets its own value created for it (`fresh`) instead
   * of falling back to the shared one (`initial`).
   */
  #createsPerInvocation;
  /**
   * The value shared across invocations, boxed like the invocation-scoped one.
   */
  #sharedValue;
  /**
   * @param name - Description of the value, used for the storage key, e.g. `powertools.logger.logLevel`
   * @param {Object} options - Options to create the value
   * @param options.initial - Value shared across invocations until one sets its own
   * @param options.fresh - Creates the value, called once per invocation on first access, and once for the shared value
   */
  constructor(name, options) {
    this.#key = Symbol(name);
    if ("fresh" in options) {
      this.#createValue = options.fresh;
      this.#createsPerInvocation = true;
    } else {
      const { initial } = options;
      this.#createValue = () => initial;
      this.#createsPerInvocation = false;
    }
  }
  /**
   * Whether reads and writes are currently scoped to a single invocation.
   */
  get isScoped() {
    return this.#getScopedStore() !== void 0;
  }
  /**
   * Gets the invocation-scoped value when there is one, otherwise the shared
   * value.
   *
   * A `fresh` value is created on first access, and the same one is handed back
   * for the rest of the invocation.
   */
  get() {
    const store = this.#getScopedStore();
    if (store === void 0) {
      return this.getShared();
    }
    const scopedValue = store.get(this.#key);
    if (scopedValue !== void 0) {
      return scopedValue[0];
    }
    if (!this.#createsPerInvocation) {
      return this.getShared();
    }
    const freshValue = this.#createValue();
    store.set(this.#key, [freshValue]);
    return freshValue;
  }
  /**
   * Sets the value for the current invocation, or the shared value when no
   * invocation context is active, i.e. during initialization.
   *
   * `undefined` is a value like any other: it shadows the shared value until
   * {@link InvocationScoped.reset | `reset()`} discards it.
   *
   * @param value - The value to store
   */
  set(value) {
    const store = this.#getScopedStore();
    if (store === void 0) {
      this.setShared(value);
      return;
    }
    store.set(this.#key, [value]);
  }
  /**
   * Discards the value, so that a `fresh` one is created on the next access and
   * an `initial` one goes back to the shared value.
   *
   * Outside an invocation context the shared value is discarded instead, which
   * puts an `initial` value back to the one given at construction.
   */
  reset() {
    const store = this.#getScopedStore();
    if (store === void 0) {
      this.#sharedValue = void 0;
      return;
    }
    store.set(this.#key, void 0);
  }
  /**
   * Gets the value shared across invocations, ignoring any invocation context.
   *
   * It is created on first access, whether from here or from
   * {@link InvocationScoped.get | `get()`}.
   */
  getShared() {
    this.#sharedValue ??= [this.#createValue()];
    return this.#sharedValue[0];
  }
  /**
   * Sets the value shared across invocations, ignoring any invocation context.
   *
   * @param value - The value to store
   */
  setShared(value) {
    this.#sharedValue = [value];
  }
  /**
   * Gets the InvokeStore when reads and writes should be scoped to the current
   * invocation, or `undefined` when they should go to the shared value.
   */
  #getScopedStore() {
    if (!shouldUseInvokeStore()) {
      return void 0;
    }
    const store = globalThis.awslambda?.InvokeStore;
    if (store === void 0) {
      throw new Error("InvokeStore is not available");
    }
    return store.hasContext() ? store : void 0;
  }
};

// node_modules/@aws-lambda-powertools/logger/lib/esm/LogAttributesStore.js
var LogAttributesStore = class {
  #temporaryAttributes = new InvocationScoped("powertools.logger.temporaryAttributes", { fresh: () => ({}) });
  #keys = new InvocationScoped("powertools.logger.keys", { fresh: () => /* @__PURE__ */ new Map() });
  #lambdaContext = new InvocationScoped("powertools.logger.lambdaContext", { initial: void 0 });
  #persistentAttributes = {};
  #getTemporaryAttributes() {
    return this.#temporaryAttributes.get();
  }
  #getKeys() {
    return this.#keys.get();
  }
  appendTemporaryKeys(attributes) {
    const tempAttrs = this.#getTemporaryAttributes();
    deepMerge(tempAttrs, attributes);
    const keysMap = this.#getKeys();
    for (const key of Object.keys(attributes)) {
      keysMap.set(key, "temp");
    }
  }
  removeTemporaryKeys(keys) {
    const tempAttrs = this.#getTemporaryAttributes();
    const keysMap = this.#getKeys();
    for (const key of keys) {
      tempAttrs[key] = void 0;
      if (this.#persistentAttributes[key]) {
        keysMap.set(key, "persistent");
      } else {
        keysMap.delete(key);
      }
    }
  }
  getTemporaryAttributes() {
    return { ...this.#getTemporaryAttributes() };
  }
  clearTemporaryAttributes() {
    const tempAttrs = this.#getTemporaryAttributes();
    const keysMap = this.#getKeys();
    for (const key of Object.keys(tempAttrs)) {
      if (this.#persistentAttributes[key]) {
        keysMap.set(key, "persistent");
      } else {
        keysMap.delete(key);
      }
    }
    this.#temporaryAttributes.reset();
  }
  setLambdaContext(context) {
    this.#lambdaContext.set(context);
  }
  getLambdaContext() {
    return this.#lambdaContext.get();
  }
  setPersistentAttributes(attributes) {
    const keysMap = this.#getKeys();
    this.#persistentAttributes = { ...attributes };
    for (const key of Object.keys(attributes)) {
      keysMap.set(key, "persistent");
    }
  }
  getPersistentAttributes() {
    return { ...this.#persistentAttributes };
  }
  getAllAttributes() {
    const result = {};
    const tempAttrs = this.#getTemporaryAttributes();
    const keysMap = this.#getKeys();
    for (const [key, value] of Object.entries(this.#persistentAttributes)) {
      if (value !== void 0) {
        result[key] = value;
      }
    }
    for (const [key, type] of keysMap.entries()) {
      if (type === "temp" && tempAttrs[key] !== void 0) {
        result[key] = tempAttrs[key];
      }
    }
    return result;
  }
  removePersistentKeys(keys) {
    const keysMap = this.#getKeys();
    const tempAttrs = this.#getTemporaryAttributes();
    for (const key of keys) {
      this.#persistentAttributes[key] = void 0;
      if (tempAttrs[key]) {
        keysMap.set(key, "temp");
      } else {
        keysMap.delete(key);
      }
    }
  }
};

// node_modules/@aws-lambda-powertools/logger/lib/esm/logBuffer.js
var SizedItem = class {
  value;
  logLevel;
  byteSize;
  constructor(value, logLevel) {
    if (!isString(value)) {
      throw new Error("Value should be a string");
    }
    this.value = value;
    this.logLevel = logLevel;
    this.byteSize = Buffer.byteLength(value);
  }
};
var SizedSet = class extends Set {
  currentBytesSize = 0;
  hasEvictedLog = false;
  /**
   * Adds an item to the set and updates the current byte size.
   *
   * @param item - The item to add
   */
  add(item) {
    this.currentBytesSize += item.byteSize;
    super.add(item);
    return this;
  }
  /**
   * Deletes an item from the set and updates the current byte size.
   *
   * @param item - The item to delete
   */
  delete(item) {
    const wasDeleted = super.delete(item);
    if (wasDeleted) {
      this.currentBytesSize -= item.byteSize;
    }
    return wasDeleted;
  }
  /**
   * Clears all items from the set and resets the current byte size.
   */
  clear() {
    super.clear();
    this.currentBytesSize = 0;
  }
  /**
   * Removes the first item from the set and returns it.
   */
  shift() {
    const firstElement = this.values().next().value;
    if (firstElement) {
      this.delete(firstElement);
    }
    return firstElement;
  }
};
var CircularMap = class extends Map {
  #maxBytesSize;
  #onBufferOverflow;
  constructor({ maxBytesSize, onBufferOverflow }) {
    super();
    this.#maxBytesSize = maxBytesSize;
    this.#onBufferOverflow = onBufferOverflow;
  }
  /**
   * Adds an item to the buffer, evicting older items if necessary.
   *
   * @param key - The key to associate with the item
   * @param value - The item to add
   * @param logLevel - The log level of the item
   */
  setItem(key, value, logLevel) {
    const item = new SizedItem(value, logLevel);
    if (item.byteSize > this.#maxBytesSize) {
      throw new Error("Item too big");
    }
    const buffer = this.get(key) || new SizedSet();
    if (buffer.currentBytesSize !== 0 && buffer.currentBytesSize + item.byteSize >= this.#maxBytesSize) {
      this.#deleteFromBufferUntilSizeIsLessThanMax(buffer, item);
      if (this.#onBufferOverflow) {
        this.#onBufferOverflow();
      }
    }
    buffer.add(item);
    super.set(key, buffer);
    return this;
  }
  /**
   * Deletes an item from the buffer.
   *
   * @param key - The key associated with the item
   * @param value - The item to delete
   */
  #deleteFromBufferUntilSizeIsLessThanMax(buffer, item) {
    while (buffer.size !== 0 && buffer.currentBytesSize + item.byteSize >= this.#maxBytesSize) {
      buffer.shift();
      buffer.hasEvictedLog = true;
    }
  }
};

// node_modules/@aws-lambda-powertools/logger/lib/esm/LogInvocationStore.js
var LogInvocationStore = class {
  #logLevel;
  #buffer = new InvocationScoped("powertools.logger.buffer", { fresh: () => new CircularMap({ maxBytesSize: this.#maxBytes }) });
  #maxBytes;
  constructor(logLevel) {
    this.#logLevel = new InvocationScoped("powertools.logger.logLevel", {
      initial: logLevel
    });
  }
  /**
   * Get the log level in effect: the per-invocation level when one has been
   * set, otherwise the base level.
   */
  getLogLevel() {
    return this.#logLevel.get();
  }
  /**
   * Get the base log level shared across invocations, without consulting the
   * InvokeStore.
   */
  getBaseLogLevel() {
    return this.#logLevel.getShared();
  }
  /**
   * Set the log level, scoping it to the current invocation when concurrency
   * is enabled and an invocation context is active. Outside an invocation
   * context (e.g. during initialization) the base level is set instead.
   */
  setLogLevel(logLevel) {
    this.#logLevel.set(logLevel);
  }
  /**
   * Set the base log level shared across invocations, regardless of any active
   * invocation context. Used at initialization and for Advanced Logging
   * Controls, which apply environment-wide.
   */
  setBaseLogLevel(logLevel) {
    this.#logLevel.setShared(logLevel);
  }
  /**
   * Enable the log buffer with the given max byte size per trace id.
   *
   * Must be called before any buffer operation; the buffer methods are only
   * reached when buffering is enabled.
   *
   * @param maxBytes - Max byte size of each trace id's buffer
   */
  configureBuffer(maxBytes) {
    this.#maxBytes = maxBytes;
    this.#buffer.setShared(new CircularMap({ maxBytesSize: maxBytes }));
  }
  #getBuffer() {
    return this.#buffer.get();
  }
  /**
   * Add a log to the buffer for the given trace id.
   *
   * @param traceId - `_X_AMZN_TRACE_ID` of the request
   * @param value - The serialized log to be buffered
   * @param logLevel - The level of the log to be buffered
   */
  add(traceId, value, logLevel) {
    const buffer = this.#getBuffer();
    if (!this.#buffer.isScoped && buffer.has(traceId) === false) {
      buffer.clear();
    }
    buffer.setItem(traceId, value, logLevel);
  }
  /**
   * Get the buffered logs for the given trace id, if any.
   *
   * @param traceId - `_X_AMZN_TRACE_ID` of the request
   */
  get(traceId) {
    return this.#getBuffer().get(traceId);
  }
  /**
   * Empty the buffer for the given trace id.
   *
   * @param traceId - `_X_AMZN_TRACE_ID` of the request
   */
  delete(traceId) {
    this.#getBuffer().delete(traceId);
  }
};

// node_modules/@aws-lambda-powertools/logger/lib/esm/Logger.js
var Logger = class _Logger extends Utility {
  /**
   * Console instance used to print logs.
   *
   * In AWS Lambda, we create a new instance of the Console class so that we can have
   * full control over the output of the logs. In testing environments, we use the
   * default console instance.
   *
   * This property is initialized in the constructor in `setOptions()`.
   */
  console;
  /**
   * Custom config service instance used to configure the logger.
   */
  customConfigService;
  /**
   * Whether to print the Lambda invocation event in the logs.
   */
  logEvent = false;
  /**
   * Formatter used to format the log items.
   * @default new PowertoolsLogFormatter()
   */
  logFormatter;
  /**
   * JSON indentation used to format the logs.
   */
  logIndentation = LogJsonIndent.COMPACT;
  /**
   * Advanced Logging Control Log Level
   * If not a valid value this will be left undefined, even if the
   * environment variable AWS_LAMBDA_LOG_LEVEL is set
   */
  #alcLogLevel;
  /**
   * Standard attributes managed by Powertools that will be logged in all log items.
   */
  powertoolsLogData = {
    sampleRateValue: 0
  };
  /**
   * Store for managing temporary and persistent log attributes.
   */
  #attributesStore = new LogAttributesStore();
  /**
   * Buffer used to store logs until the logger is initialized.
   *
   * Sometimes we need to log warnings before the logger is fully initialized, however we can't log them
   * immediately because the logger is not ready yet. This buffer stores those logs until the logger is ready.
   */
  #initBuffer = [];
  /**
   * Flag used to determine if the logger is initialized.
   */
  #isInitialized = false;
  /**
   * This is the initial log leval as set during the initialization of the logger.
   *
   * We keep this value to be able to reset the log level to the initial value when the sample rate is refreshed.
   */
  #initialLogLevel = LogLevelThreshold.INFO;
  /**
   * Replacer function used to serialize the log items.
   */
  #jsonReplacerFn;
  /**
   * Buffer configuration options.
   */
  #bufferConfig = {
    enabled: false,
    flushOnErrorLog: true,
    maxBytes: 20480,
    bufferAtVerbosity: LogLevelThreshold.DEBUG
  };
  /**
   * Store for per-invocation log state: the effective log level and, once
   * buffering is enabled, the buffered logs grouped by `_X_AMZN_TRACE_ID`.
   *
   * Scopes the state to each invocation via the InvokeStore when invocations
   * run concurrently, and falls back to instance-level state shared across
   * sequential invocations.
   */
  #invocationStore = new LogInvocationStore(LogLevelThreshold.INFO);
  /**
   * Search function for the correlation ID.
   */
  #correlationIdSearchFn;
  /**
   * The debug sampling rate configuration.
   */
  #debugLogSampling = {
    /**
     * The sampling rate value used to determine if the log level should be set to DEBUG.
     */
    sampleRateValue: 0,
    /**
     * The number of times the debug sampling rate has been refreshed.
     *
     * We use this to determine if we should refresh it again.
     */
    refreshedTimes: 0
  };
  /**
   * Map used to store the warning messages that have already been logged.
   */
  #warnOnceMap = /* @__PURE__ */ new Map();
  /**
   * Log level used by the current instance of Logger.
   *
   * Returns the log level as a number. The higher the number, the less verbose the logs.
   * To get the log level name, use the {@link getLevelName()} method.
   */
  get level() {
    return this.#invocationStore.getLogLevel();
  }
  constructor(options = {}) {
    super();
    const { customConfigService, ...rest } = options;
    this.customConfigService = customConfigService;
    this.setOptions(rest);
    this.#isInitialized = true;
    for (const [level, log] of this.#initBuffer) {
      this.printLog(level, this.createAndPopulateLogItem(...log));
    }
    this.#initBuffer = [];
  }
  /**
   * Add the current Lambda function's invocation context data to the powertoolLogData property of the instance.
   * This context data will be part of all printed log items.
   *
   * The implementation signature also accepts the stored {@link LambdaFunctionContext} subset so that
   * {@link Logger.createChild | `createChild()`} can propagate the parent's context without unsafe casts.
   * The public contract ({@link LoggerInterface.addContext}) remains `Context`.
   *
   * @param context - The Lambda function's invocation context.
   */
  addContext(context) {
    this.#attributesStore.setLambdaContext({
      invokedFunctionArn: context.invokedFunctionArn,
      coldStart: this.getColdStart(),
      awsRequestId: context.awsRequestId,
      memoryLimitInMB: context.memoryLimitInMB,
      functionName: context.functionName,
      functionVersion: context.functionVersion,
      tenantId: context.tenantId
    });
  }
  /**
   * @deprecated This method is deprecated and will be removed in the future major versions, please use {@link appendPersistentKeys() `appendPersistentKeys()`} instead.
   */
  addPersistentLogAttributes(attributes) {
    this.appendPersistentKeys(attributes);
  }
  /**
   * Add the given temporary attributes (key-value pairs) to all log items generated by this Logger instance.
   *
   * If the key already exists in the attributes, it will be overwritten. If the key is one of `level`, `message`, `sampling_rate`,
   * `service`, or `timestamp` we will log a warning and drop the value.
   *
   * @param attributes - The attributes to add to all log items.
   */
  appendKeys(attributes) {
    this.#appendKeys(attributes, "temp");
  }
  /**
   * Add the given persistent attributes (key-value pairs) to all log items generated by this Logger instance.
   *
   * If the key already exists in the attributes, it will be overwritten. If the key is one of `level`, `message`, `sampling_rate`,
   * `service`, or `timestamp` we will log a warning and drop the value.
   *
   * @param attributes - The attributes to add to all log items.
   */
  appendPersistentKeys(attributes) {
    this.#appendKeys(attributes, "persistent");
  }
  /**
   * Create a separate Logger instance, identical to the current one.
   * It's possible to overwrite the new instance options by passing them.
   *
   * @param options - The options to initialize the child logger with.
   */
  createChild(options = {}) {
    const persistentKeyName = "persistentLogAttributes" in options && !("persistentKeys" in options) ? "persistentLogAttributes" : "persistentKeys";
    const childLogger = this.createLogger(
      // Merge parent logger options with options passed to createChild,
      // the latter having precedence.
      deepMerge({}, {
        logLevel: this.getLevelName(),
        serviceName: this.powertoolsLogData.serviceName,
        sampleRateValue: this.#debugLogSampling.sampleRateValue,
        logFormatter: this.getLogFormatter(),
        customConfigService: this.getCustomConfigService(),
        environment: this.powertoolsLogData.environment,
        [persistentKeyName]: this.#attributesStore.getPersistentAttributes(),
        jsonReplacerFn: this.#jsonReplacerFn,
        correlationIdSearchFn: this.#correlationIdSearchFn,
        ...this.#bufferConfig.enabled && {
          logBufferOptions: {
            maxBytes: this.#bufferConfig.maxBytes,
            bufferAtVerbosity: this.getLogLevelNameFromNumber(this.#bufferConfig.bufferAtVerbosity),
            flushOnErrorLog: this.#bufferConfig.flushOnErrorLog
          }
        }
      }, options)
    );
    const lambdaContext = this.#attributesStore.getLambdaContext();
    if (lambdaContext)
      childLogger.addContext(lambdaContext);
    const temporaryAttributes = this.#attributesStore.getTemporaryAttributes();
    if (Object.keys(temporaryAttributes).length > 0) {
      childLogger.appendKeys(temporaryAttributes);
    }
    return childLogger;
  }
  /**
   * Print a log item with level CRITICAL.
   *
   * @param input - The log message.
   * @param extraInput - The extra input to log.
   */
  critical(input, ...extraInput) {
    this.processLogItem(LogLevelThreshold.CRITICAL, input, extraInput);
  }
  /**
   * Print a log item with level DEBUG.
   *
   * @param input
   * @param extraInput - The extra input to log.
   */
  debug(input, ...extraInput) {
    this.processLogItem(LogLevelThreshold.DEBUG, input, extraInput);
  }
  /**
   * Print a log item with level ERROR.
   *
   * @param input - The log message.
   * @param extraInput - The extra input to log.
   */
  error(input, ...extraInput) {
    this.processLogItem(LogLevelThreshold.ERROR, input, extraInput);
  }
  /**
   * Get the log level name of the current instance of Logger.
   *
   * Returns the log level name, i.e. `INFO`, `DEBUG`, etc.
   * To get the log level as a number, use the {@link Logger.level} property.
   */
  getLevelName() {
    return this.getLogLevelNameFromNumber(this.#invocationStore.getLogLevel());
  }
  /**
   * Return a boolean value. True means that the Lambda invocation events
   * are printed in the logs.
   */
  getLogEvent() {
    return this.logEvent;
  }
  /**
   * Return the persistent log attributes, which are the attributes
   * that will be logged in all log items.
   */
  getPersistentLogAttributes() {
    return this.#attributesStore.getPersistentAttributes();
  }
  /**
   * Print a log item with level INFO.
   *
   * @param input - The log message.
   * @param extraInput - The extra input to log.
   */
  info(input, ...extraInput) {
    this.processLogItem(LogLevelThreshold.INFO, input, extraInput);
  }
  /**
   * Class method decorator that adds the current Lambda function context as extra
   * information in all log items.
   *
   * This decorator is useful when you want to enrich your logs with information
   * from the function context, such as the function name, version, and request ID, and more.
   *
   * @example
   * ```typescript
   * import { Logger } from '@aws-lambda-powertools/logger';
   * import type { LambdaInterface } from '@aws-lambda-powertools/commons/types';
   *
   * const logger = new Logger({ serviceName: 'serverlessAirline' });
   *
   * class Lambda implements LambdaInterface {
   *   // Decorate your handler class method
   *   ⁣@logger.injectLambdaContext()
   *   public async handler(_event: unknown, _context: unknown): Promise<void> {
   *     logger.info('This is an INFO log with some context');
   *   }
   * }
   *
   * const handlerClass = new Lambda();
   * export const handler = handlerClass.handler.bind(handlerClass);
   * ```
   *
   * The decorator can also be used to log the Lambda invocation event; this can be configured both via
   * the `logEvent` parameter and the `POWERTOOLS_LOGGER_LOG_EVENT` environment variable. When both
   * are set, the `logEvent` parameter takes precedence.
   *
   * Additionally, the decorator can be used to reset the temporary keys added with the `appendKeys()` method
   * after the invocation, or to flush the buffer when an uncaught error is thrown in the handler.
   *
   * @see https://www.typescriptlang.org/docs/handbook/decorators.html#method-decorators
   *
   * @param options.logEvent - When `true` the logger will log the event.
   * @param options.resetKeys - When `true` the logger will clear temporary keys added with {@link Logger.appendKeys() `appendKeys()`} method.
   * @param options.flushBufferOnUncaughtError - When `true` the logger will flush the buffer when an uncaught error is thrown in the handler.
   */
  injectLambdaContext(options) {
    return (_target, _propertyKey, descriptor) => {
      const originalMethod = descriptor.value;
      const loggerRef = this;
      descriptor.value = async function(...args) {
        loggerRef.refreshSampleRateCalculation();
        loggerRef.addContext(args[1]);
        loggerRef.logEventIfEnabled(args[0], options?.logEvent);
        if (options?.correlationIdPath) {
          loggerRef.setCorrelationId(args[0], options?.correlationIdPath);
        }
        try {
          return await originalMethod.apply(this, args);
        } catch (error) {
          if (options?.flushBufferOnUncaughtError) {
            loggerRef.flushBuffer();
            loggerRef.error({
              message: UncaughtErrorLogMessage,
              error
            });
          }
          throw error;
        } finally {
          if (options?.clearState || options?.resetKeys)
            loggerRef.resetKeys();
          loggerRef.clearBuffer();
        }
      };
    };
  }
  /**
   * @deprecated This method is deprecated and will be removed in the future major versions. Use {@link resetKeys()} instead.
   */
  /* v8 ignore next -- @preserve */
  static injectLambdaContextAfterOrOnError(logger, _persistentAttributes, options) {
    if (options && (options.clearState || options?.resetKeys)) {
      logger.resetKeys();
    }
  }
  /**
   * @deprecated - This method is deprecated and will be removed in the next major version.
   */
  /* v8 ignore next -- @preserve */
  static injectLambdaContextBefore(logger, event, context, options) {
    logger.addContext(context);
    logger.logEventIfEnabled(event, options?.logEvent);
  }
  /**
   * Log the AWS Lambda event payload for the current invocation if the environment variable `POWERTOOLS_LOGGER_LOG_EVENT` is set to `true`.
   *
   * @example
   * ```ts
   * process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
   *
   * import { Logger } from '@aws-lambda-powertools/logger';
   *
   * const logger = new Logger();
   *
   * export const handler = async (event) => {
   *   logger.logEventIfEnabled(event);
   *   // ... your handler code
   * }
   * ```
   *
   * @param event - The AWS Lambda event payload.
   * @param overwriteValue - Overwrite the environment variable value.
   */
  logEventIfEnabled(event, overwriteValue) {
    if (!this.shouldLogEvent(overwriteValue))
      return;
    this.info("Lambda invocation event", { event });
  }
  /**
   * This method allows recalculating the initial sampling decision for changing
   * the log level to DEBUG based on a sample rate value used during initialization,
   * potentially yielding a different outcome.
   *
   * This only works for warm starts, because we don't to avoid double sampling.
   */
  refreshSampleRateCalculation() {
    if (this.#debugLogSampling.refreshedTimes === 0) {
      this.#debugLogSampling.refreshedTimes++;
      return;
    }
    if (this.#shouldEnableDebugSampling() && this.#invocationStore.getLogLevel() > LogLevelThreshold.TRACE) {
      this.setLogLevel("DEBUG");
      this.debug("Setting log level to DEBUG due to sampling rate");
    } else {
      this.setLogLevel(this.getLogLevelNameFromNumber(this.#initialLogLevel));
    }
  }
  /**
   * Remove temporary attributes based on provided keys to all log items generated by this Logger instance.
   *
   * @param keys - The keys to remove.
   */
  removeKeys(keys) {
    this.#attributesStore.removeTemporaryKeys(keys);
  }
  /**
   * Remove the given keys from the persistent keys.
   *
   * @example
   * ```typescript
   * import { Logger } from '@aws-lambda-powertools/logger';
   *
   * const logger = new Logger({
   *   persistentKeys: {
   *     environment: 'prod',
   *   },
   * });
   *
   * logger.removePersistentKeys(['environment']);
   * ```
   *
   * @param keys - The keys to remove from the persistent attributes.
   */
  removePersistentKeys(keys) {
    this.#attributesStore.removePersistentKeys(keys);
  }
  /**
   * @deprecated This method is deprecated and will be removed in the future major versions. Use {@link removePersistentKeys()} instead.
   */
  removePersistentLogAttributes(keys) {
    this.removePersistentKeys(keys);
  }
  /**
   * Remove all temporary log attributes added with {@link appendKeys() `appendKeys()`} method.
   */
  resetKeys() {
    this.#attributesStore.clearTemporaryAttributes();
  }
  /**
   * Set the log level for this Logger instance.
   *
   * If the log level is set using AWS Lambda Advanced Logging Controls, it sets it
   * instead of the given log level to avoid data loss.
   *
   * @param logLevel The log level to set, i.e. `error`, `warn`, `info`, `debug`, etc.
   */
  setLogLevel(logLevel) {
    if (this.awsLogLevelShortCircuit(logLevel))
      return;
    if (this.isValidLogLevel(logLevel)) {
      this.#invocationStore.setLogLevel(LogLevelThreshold[logLevel]);
    } else {
      throw new Error(`Invalid log level: ${logLevel}`);
    }
  }
  /**
   * @deprecated This method is deprecated and will be removed in the future major versions, please use {@link appendPersistentKeys() `appendPersistentKeys()`} instead.
   */
  setPersistentLogAttributes(attributes) {
    const filtered = this.#filterReservedAttributeKeys(attributes);
    this.#attributesStore.setPersistentAttributes(filtered);
  }
  /**
   * @deprecated Use getPersistentLogAttributes() instead
   */
  get persistentLogAttributes() {
    return this.#attributesStore.getPersistentAttributes();
  }
  /**
   * Check whether the current Lambda invocation event should be printed in the logs or not.
   *
   * @param overwriteValue - Overwrite the environment variable value.
   */
  shouldLogEvent(overwriteValue) {
    if (typeof overwriteValue === "boolean") {
      return overwriteValue;
    }
    return this.getLogEvent();
  }
  /**
   * Print a log item with level TRACE.
   *
   * @param input - The log message.
   * @param extraInput - The extra input to log.
   */
  trace(input, ...extraInput) {
    this.processLogItem(LogLevelThreshold.TRACE, input, extraInput);
  }
  /**
   * Print a log item with level WARN.
   *
   * @param input - The log message.
   * @param extraInput - The extra input to log.
   */
  warn(input, ...extraInput) {
    this.processLogItem(LogLevelThreshold.WARN, input, extraInput);
  }
  /**
   * Log a warning message once per unique message.
   *
   * @param message - The log message.
   */
  #warnOnce(message) {
    if (this.#warnOnceMap.has(message))
      return;
    this.#warnOnceMap.set(message, true);
    this.warn(message);
  }
  /**
   * Factory method for instantiating logger instances. Used by `createChild` method.
   * Important for customization and subclassing. It allows subclasses, like `MyOwnLogger`,
   * to override its behavior while keeping the main business logic in `createChild` intact.
   *
   * @example
   * ```typescript
   * // MyOwnLogger subclass
   * class MyOwnLogger extends Logger {
   *   protected createLogger(options?: ConstructorOptions): MyOwnLogger {
   *     return new MyOwnLogger(options);
   *   }
   *   // No need to re-implement business logic from `createChild` and keep track on changes
   *   public createChild(options?: ConstructorOptions): MyOwnLogger {
   *     return super.createChild(options) as MyOwnLogger;
   *   }
   * }
   * ```
   *
   * @param options - Logger configuration options.
   */
  createLogger(options) {
    return new _Logger(options);
  }
  /**
   * A custom JSON replacer function that is used to serialize the log items.
   *
   * By default, we already extend the default serialization behavior to handle `BigInt` and `Error` objects, as well as remove circular references.
   * When a custom JSON replacer function is passed to the Logger constructor, it will be called **before** our custom rules for each key-value pair in the object being stringified.
   *
   * This allows you to customize the serialization while still benefiting from the default behavior.
   *
   * @see {@link ConstructorOptions.jsonReplacerFn}
   */
  getJsonReplacer() {
    const ancestors = [];
    const jsonReplacerFn = this.#jsonReplacerFn;
    const logFormatter = this.getLogFormatter();
    return function(key, value) {
      let replacedValue = value;
      if (jsonReplacerFn)
        replacedValue = jsonReplacerFn(key, replacedValue);
      if (replacedValue instanceof Error) {
        replacedValue = logFormatter.formatError(replacedValue);
      }
      if (typeof replacedValue === "bigint") {
        return replacedValue.toString();
      }
      if (typeof replacedValue === "object" && replacedValue !== null) {
        while (ancestors.length > 0 && ancestors.at(-1) !== this) {
          ancestors.pop();
        }
        if (ancestors.includes(replacedValue)) {
          return;
        }
        ancestors.push(replacedValue);
      }
      return replacedValue;
    };
  }
  /**
   * Store information that is printed in all log items.
   *
   * @param attributes - The attributes to add to all log items.
   */
  addToPowertoolsLogData(attributes) {
    deepMerge(this.powertoolsLogData, attributes);
  }
  #filterReservedAttributeKeys(attributes) {
    const filtered = {};
    for (const [key, value] of Object.entries(attributes)) {
      if (!this.#checkReservedKeyAndWarn(key)) {
        filtered[key] = value;
      }
    }
    return filtered;
  }
  /**
   * Shared logic for adding keys to the logger instance.
   *
   * @param attributes - The attributes to add to the log item.
   * @param type - The type of the attributes to add.
   */
  #appendKeys(attributes, type) {
    const filtered = this.#filterReservedAttributeKeys(attributes);
    if (type === "temp") {
      this.#attributesStore.appendTemporaryKeys(filtered);
    } else {
      const current = this.#attributesStore.getPersistentAttributes();
      this.#attributesStore.setPersistentAttributes(deepMerge(current, filtered));
    }
  }
  awsLogLevelShortCircuit(selectedLogLevel) {
    if (this.#alcLogLevel !== void 0) {
      this.#invocationStore.setBaseLogLevel(LogLevelThreshold[this.#alcLogLevel]);
      if (this.isValidLogLevel(selectedLogLevel) && this.#invocationStore.getBaseLogLevel() > LogLevelThreshold[selectedLogLevel]) {
        this.#warnOnce(`Current log level (${selectedLogLevel}) does not match AWS Lambda Advanced Logging Controls minimum log level (${this.#alcLogLevel}). This can lead to data loss, consider adjusting them.`);
      }
      return true;
    }
    return false;
  }
  /**
   * Create a log item and populate it with the given log level, input, and extra input.
   */
  createAndPopulateLogItem(logLevel, input, extraInput) {
    const unformattedBaseAttributes = {
      logLevel: this.getLogLevelNameFromNumber(logLevel),
      timestamp: /* @__PURE__ */ new Date(),
      xRayTraceId: getXRayTraceIdFromEnv(),
      ...this.#getPowertoolsLogData(),
      message: ""
    };
    const additionalAttributes = this.#attributesStore.getAllAttributes();
    this.#processMainInput(input, unformattedBaseAttributes, additionalAttributes);
    this.#processExtraInput(extraInput, additionalAttributes);
    return this.getLogFormatter().formatAttributes(unformattedBaseAttributes, additionalAttributes);
  }
  /**
   * Process the main input message and add it to the attributes
   */
  #processMainInput(input, baseAttributes, additionalAttributes) {
    if (typeof input === "string") {
      baseAttributes.message = input;
      return;
    }
    const { message, ...rest } = input;
    baseAttributes.message = message;
    for (const [key, value] of Object.entries(rest)) {
      if (!this.#checkReservedKeyAndWarn(key)) {
        additionalAttributes[key] = value;
      }
    }
  }
  /**
   * Process extra input items and add them to additional attributes
   */
  #processExtraInput(extraInput, additionalAttributes) {
    for (const item of extraInput) {
      if (isNullOrUndefined(item)) {
        continue;
      }
      if (item instanceof Error) {
        additionalAttributes.error = item;
      } else if (typeof item === "string") {
        additionalAttributes.extra = item;
      } else {
        this.#processExtraObject(item, additionalAttributes);
      }
    }
  }
  /**
   * Process an extra input object and add its properties to additional attributes
   */
  #processExtraObject(item, additionalAttributes) {
    for (const [key, value] of Object.entries(item)) {
      if (!this.#checkReservedKeyAndWarn(key)) {
        additionalAttributes[key] = value;
      }
    }
  }
  /**
   * Make a new debug log sampling decision based on the sample rate value.
   */
  #shouldEnableDebugSampling() {
    return this.#debugLogSampling.sampleRateValue && (0, import_node_crypto.randomInt)(0, 100) / 100 <= this.#debugLogSampling.sampleRateValue;
  }
  /**
   * Check if a given key is reserved and warn the user if it is.
   *
   * @param key - The key to check
   */
  #checkReservedKeyAndWarn(key) {
    if (ReservedKeys.includes(key)) {
      this.warn(`The key "${key}" is a reserved key and will be dropped.`);
      return true;
    }
    return false;
  }
  /**
   * Get the custom config service, an abstraction used to fetch environment variables.
   */
  getCustomConfigService() {
    return this.customConfigService;
  }
  /**
   * Get the instance of a service that formats the structure of a
   * log item's keys and values in the desired way.
   */
  getLogFormatter() {
    return this.logFormatter;
  }
  /**
   * Get the log level name from the log level number.
   *
   * For example, if the log level is 16, it will return 'WARN'.
   *
   * @param logLevel - The log level to get the name of
   */
  getLogLevelNameFromNumber(logLevel) {
    let found;
    for (const [key, value] of Object.entries(LogLevelThreshold)) {
      if (value === logLevel) {
        found = key;
        break;
      }
    }
    return found;
  }
  /**
   * Get information that will be added in all log item by
   * this Logger instance (different from user-provided persistent attributes).
   */
  #getPowertoolsLogData() {
    const lambdaContext = this.#attributesStore.getLambdaContext();
    if (lambdaContext === void 0) {
      return this.powertoolsLogData;
    }
    return { ...this.powertoolsLogData, lambdaContext };
  }
  /**
   * Check if a given log level is valid.
   *
   * @param logLevel - The log level to check
   */
  isValidLogLevel(logLevel) {
    return typeof logLevel === "string" && logLevel in LogLevelThreshold;
  }
  /**
   * Check if a given sample rate value is valid.
   *
   * @param sampleRateValue - The sample rate value to check
   */
  isValidSampleRate(sampleRateValue) {
    return typeof sampleRateValue === "number" && 0 <= sampleRateValue && sampleRateValue <= 1;
  }
  /**
   * Print a given log with given log level.
   *
   * @param logLevel - The log level
   * @param log - The log item to print
   */
  printLog(logLevel, log) {
    log.prepareForPrint();
    const consoleMethod = logLevel === LogLevelThreshold.CRITICAL ? "error" : this.getLogLevelNameFromNumber(logLevel).toLowerCase();
    this.console[consoleMethod](JSON.stringify(log.getAttributes(), this.getJsonReplacer(), this.logIndentation));
  }
  /**
   * Print or buffer a given log with given log level.
   *
   * @param logLevel - The log level threshold
   * @param input - The log message
   * @param extraInput - The extra input to log
   */
  processLogItem(logLevel, input, extraInput) {
    if (this.#bufferConfig.enabled && this.#bufferConfig.flushOnErrorLog && logLevel >= LogLevelThreshold.ERROR && logLevel < LogLevelThreshold.SILENT) {
      this.flushBuffer();
    }
    const traceId = getXRayTraceIdFromEnv();
    if (traceId !== void 0 && this.shouldBufferLog(traceId, logLevel)) {
      try {
        this.bufferLogItem(traceId, this.createAndPopulateLogItem(logLevel, input, extraInput), logLevel);
      } catch (error) {
        this.printLog(LogLevelThreshold.WARN, this.createAndPopulateLogItem(LogLevelThreshold.WARN, `Unable to buffer log: ${error.message}`, [error]));
        this.printLog(logLevel, this.createAndPopulateLogItem(logLevel, input, extraInput));
      }
      return;
    }
    if (logLevel >= this.#invocationStore.getLogLevel()) {
      if (this.#isInitialized) {
        this.printLog(logLevel, this.createAndPopulateLogItem(logLevel, input, extraInput));
      } else {
        this.#initBuffer.push([logLevel, [logLevel, input, extraInput]]);
      }
    }
  }
  /**
   * Initialize the console property as an instance of the internal version of Console() class (PR #748)
   * or as the global node console if the `POWERTOOLS_DEV' env variable is set and has truthy value.
   */
  setConsole() {
    if (isDevMode()) {
      this.console = console;
    } else {
      this.console = new import_node_console.Console({
        stdout: process.stdout,
        stderr: process.stderr
      });
    }
    this.console.trace = (message, ...optionalParams) => {
      this.console.log(message, ...optionalParams);
    };
  }
  /**
   * Set the initial Logger log level based on the following order:
   * 1. If a log level is set using AWS Lambda Advanced Logging Controls, it sets it.
   * 2. If a log level is passed to the constructor, it sets it.
   * 3. If a log level is set via custom config service, it sets it.
   * 4. If a log level is set via env variables, it sets it.
   *
   * If none of the above is true, the default log level applies (`INFO`).
   *
   * @param logLevel - Log level passed to the constructor
   */
  setInitialLogLevel(logLevel) {
    const constructorLogLevel = logLevel?.toUpperCase();
    if (this.awsLogLevelShortCircuit(constructorLogLevel)) {
      this.#initialLogLevel = this.#invocationStore.getBaseLogLevel();
      return;
    }
    if (this.isValidLogLevel(constructorLogLevel)) {
      this.#invocationStore.setBaseLogLevel(LogLevelThreshold[constructorLogLevel]);
      this.#initialLogLevel = this.#invocationStore.getBaseLogLevel();
      return;
    }
    const customConfigValue = this.getCustomConfigService()?.getLogLevel()?.toUpperCase();
    if (this.isValidLogLevel(customConfigValue)) {
      this.#invocationStore.setBaseLogLevel(LogLevelThreshold[customConfigValue]);
      this.#initialLogLevel = this.#invocationStore.getBaseLogLevel();
      return;
    }
    const logLevelVariable = getStringFromEnv({
      key: "POWERTOOLS_LOG_LEVEL",
      defaultValue: ""
    });
    const logLevelVariableAlias = getStringFromEnv({
      key: "LOG_LEVEL",
      defaultValue: ""
    });
    const logLevelValue = logLevelVariable || logLevelVariableAlias;
    if (this.isValidLogLevel(logLevelValue)) {
      this.#invocationStore.setBaseLogLevel(LogLevelThreshold[logLevelValue]);
      this.#initialLogLevel = this.#invocationStore.getBaseLogLevel();
    }
  }
  /**
   * Set the sample rate value with the following priority:
   * 1. Constructor value
   * 2. Custom config service value
   * 3. Environment variable value
   * 4. Default value (zero)
   *
   * @param sampleRateValue - The sample rate value
   */
  setInitialSampleRate(sampleRateValue) {
    const constructorValue = sampleRateValue;
    const customConfigValue = this.getCustomConfigService()?.getSampleRateValue();
    const sampleRateEnvVariable = getNumberFromEnv({
      key: "POWERTOOLS_LOGGER_SAMPLE_RATE",
      defaultValue: 0
    });
    for (const value of [
      constructorValue,
      customConfigValue,
      sampleRateEnvVariable
    ]) {
      if (this.isValidSampleRate(value)) {
        this.#debugLogSampling.sampleRateValue = value;
        this.powertoolsLogData.sampleRateValue = value;
        if (this.#shouldEnableDebugSampling() && this.#invocationStore.getBaseLogLevel() > LogLevelThreshold.TRACE) {
          this.setLogLevel("DEBUG");
          this.debug("Setting log level to DEBUG due to sampling rate");
        }
        break;
      }
    }
  }
  /**
   * If the log event feature is enabled via env variable, it sets a property that tracks whether
   * the event passed to the Lambda function handler should be logged or not.
   */
  setLogEvent() {
    this.logEvent = getBooleanFromEnv({
      key: "POWERTOOLS_LOGGER_LOG_EVENT",
      defaultValue: false
    });
  }
  /**
   * Set the log formatter instance, in charge of giving a custom format
   * to the structured logs, and optionally the ordering for keys within logs.
   *
   * @param logFormatter - The log formatter
   * @param logRecordOrder - Optional list of keys to specify order in logs
   */
  setLogFormatter(logFormatter, logRecordOrder) {
    this.logFormatter = logFormatter ?? new PowertoolsLogFormatter({
      logRecordOrder
    });
  }
  /**
   * If the `POWERTOOLS_DEV` env variable is set,
   * add JSON indentation for pretty printing logs.
   */
  setLogIndentation() {
    if (isDevMode()) {
      this.logIndentation = LogJsonIndent.PRETTY;
    }
  }
  /**
   * Configure the Logger instance settings that will affect the Logger's behaviour
   * and the content of all logs.
   *
   * @param options - Options to configure the Logger instance
   */
  setOptions(options) {
    const {
      logLevel,
      serviceName,
      sampleRateValue,
      logFormatter,
      persistentKeys,
      persistentLogAttributes,
      // deprecated in favor of persistentKeys
      environment,
      jsonReplacerFn,
      logRecordOrder,
      logBufferOptions,
      correlationIdSearchFn
    } = options;
    if (persistentLogAttributes && Object.keys(persistentLogAttributes).length > 0 && persistentKeys && Object.keys(persistentKeys).length > 0) {
      this.warn("Both persistentLogAttributes and persistentKeys options were provided. Using persistentKeys as persistentLogAttributes is deprecated and will be removed in future releases");
    }
    this.setPowertoolsLogData(serviceName, environment, persistentKeys || persistentLogAttributes);
    const lambdaLogLevel = getStringFromEnv({
      key: "AWS_LAMBDA_LOG_LEVEL",
      defaultValue: ""
    });
    const AlcLogLevel = lambdaLogLevel === "FATAL" ? "CRITICAL" : lambdaLogLevel;
    if (this.isValidLogLevel(AlcLogLevel)) {
      this.#alcLogLevel = AlcLogLevel;
    }
    this.setLogEvent();
    this.setInitialLogLevel(logLevel);
    this.setInitialSampleRate(sampleRateValue);
    this.setLogFormatter(logFormatter, logRecordOrder);
    this.setConsole();
    this.setLogIndentation();
    this.#jsonReplacerFn = jsonReplacerFn;
    this.#setLogBuffering(logBufferOptions);
    this.#correlationIdSearchFn = correlationIdSearchFn;
    return this;
  }
  /**
   * Add important data to the Logger instance that will affect the content of all logs.
   *
   * @param serviceName - The service name
   * @param environment - The environment
   * @param persistentKeys - The persistent log attributes
   */
  setPowertoolsLogData(serviceName, environment, persistentKeys) {
    this.addToPowertoolsLogData({
      awsRegion: getStringFromEnv({
        key: "AWS_REGION",
        defaultValue: ""
      }),
      environment: environment || this.getCustomConfigService()?.getCurrentEnvironment() || getStringFromEnv({
        key: "ENVIRONMENT",
        defaultValue: ""
      }),
      serviceName: serviceName || this.getCustomConfigService()?.getServiceName() || getStringFromEnv({
        key: "POWERTOOLS_SERVICE_NAME",
        defaultValue: ""
      }) || this.defaultServiceName
    });
    persistentKeys && this.appendPersistentKeys(persistentKeys);
  }
  /**
   * Configure the buffer settings for the Logger instance.
   *
   * @param options - Options to configure the Logger instance
   */
  #setLogBuffering(options) {
    if (options === void 0) {
      return;
    }
    this.#bufferConfig.enabled = options?.enabled !== false;
    if (this.#bufferConfig.enabled === false)
      return;
    if (options?.maxBytes !== void 0) {
      this.#bufferConfig.maxBytes = options.maxBytes;
    }
    this.#invocationStore.configureBuffer(this.#bufferConfig.maxBytes);
    if (options?.flushOnErrorLog === false) {
      this.#bufferConfig.flushOnErrorLog = false;
    }
    const bufferAtLogLevel = options?.bufferAtVerbosity?.toUpperCase();
    if (this.isValidLogLevel(bufferAtLogLevel)) {
      this.#bufferConfig.bufferAtVerbosity = LogLevelThreshold[bufferAtLogLevel];
    }
    if (this.#alcLogLevel !== void 0 && LogLevelThreshold[this.#alcLogLevel] > this.#bufferConfig.bufferAtVerbosity) {
      this.#warnOnce("Advanced Loggging Controls (ALC) Log Level is less verbose than Log Buffering Log Level. Buffered logs will be filtered by ALC");
    }
  }
  /**
   * Add a log to the buffer.
   *
   * @param xrayTraceId - `_X_AMZN_TRACE_ID` of the request
   * @param log - Log to be buffered
   * @param logLevel - The level of log to be buffered
   */
  bufferLogItem(xrayTraceId, log, logLevel) {
    log.prepareForPrint();
    this.#invocationStore.add(xrayTraceId, JSON.stringify(log.getAttributes(), this.getJsonReplacer(), this.logIndentation), logLevel);
  }
  /**
   * Flush all logs in the request buffer.
   *
   * This is called automatically when you use the {@link injectLambdaContext | `@logger.injectLambdaContext()`} decorator and
   * your function throws an error.
   */
  flushBuffer() {
    if (this.#bufferConfig.enabled === false) {
      return;
    }
    const traceId = getXRayTraceIdFromEnv();
    if (traceId === void 0) {
      return;
    }
    const buffer = this.#invocationStore.get(traceId);
    if (buffer === void 0) {
      return;
    }
    for (const item of buffer) {
      const consoleMethod = this.getLogLevelNameFromNumber(item.logLevel).toLowerCase();
      this.console[consoleMethod](item.value);
    }
    if (buffer.hasEvictedLog) {
      this.printLog(LogLevelThreshold.WARN, this.createAndPopulateLogItem(LogLevelThreshold.WARN, "Some logs are not displayed because they were evicted from the buffer. Increase buffer size to store more logs in the buffer", []));
    }
    if (this.#alcLogLevel !== void 0 && LogLevelThreshold[this.#alcLogLevel] > this.#bufferConfig.bufferAtVerbosity) {
      this.#warnOnce("Advanced Loggging Controls (ALC) Log Level is less verbose than Log Buffering Log Level. Some logs might be missing.");
    }
    this.#invocationStore.delete(traceId);
  }
  /**
   * Empties the buffer for the current request
   */
  clearBuffer() {
    if (this.#bufferConfig.enabled === false) {
      return;
    }
    const traceId = getXRayTraceIdFromEnv();
    if (traceId === void 0) {
      return;
    }
    this.#invocationStore.delete(traceId);
  }
  /**
   * Test if the log meets the criteria to be buffered.
   *
   * @param traceId - `_X_AMZN_TRACE_ID` of the request
   * @param logLevel - The level of the log being considered
   */
  shouldBufferLog(traceId, logLevel) {
    return this.#bufferConfig.enabled && traceId !== void 0 && logLevel <= this.#bufferConfig.bufferAtVerbosity;
  }
  /**
   * Set the correlation ID for the log item.
   *
   * This method can be used to set the correlation ID for the log item or to search for the correlation ID in the event.
   *
   * @example
   * ```typescript
   * import { Logger } from '@aws-lambda-powertools/logger';
   *
   * const logger = new Logger();
   * logger.setCorrelationId('my-correlation-id'); // sets the correlation ID directly with the first argument as value
   * ```
   *
   * @example
   * ```typescript
   * import { Logger } from '@aws-lambda-powertools/logger';
   * import { search } from '@aws-lambda-powertools/logger/correlationId';
   *
   * const logger = new Logger({ correlationIdSearchFn: search });
   * logger.setCorrelationId(event, 'requestContext.requestId'); // sets the correlation ID from the event using JMSPath expression
   * ```
   *
   * @param value - The value to set as the correlation ID or the event to search for the correlation ID
   * @param correlationIdPath - Optional JMESPath expression to extract the correlation ID for the payload
   */
  setCorrelationId(value, correlationIdPath) {
    if (typeof correlationIdPath === "string") {
      if (!this.#correlationIdSearchFn) {
        this.#warnOnce("correlationIdPath is set but no search function was provided. The correlation ID will not be added to the log attributes.");
        return;
      }
      const correlationId = this.#correlationIdSearchFn(correlationIdPath, value);
      if (correlationId)
        this.appendKeys({ correlation_id: correlationId });
      return;
    }
    this.appendKeys({ correlation_id: value });
  }
  /**
   * Get the correlation ID from the log attributes.
   */
  getCorrelationId() {
    return this.#attributesStore.getTemporaryAttributes().correlation_id;
  }
};

// node_modules/@aws-lambda-powertools/metrics/lib/esm/constants.js
var COLD_START_METRIC = "ColdStart";
var DEFAULT_NAMESPACE = "default_namespace";
var MIN_METRIC_NAME_LENGTH = 1;
var MAX_METRIC_NAME_LENGTH = 255;
var MAX_METRICS_SIZE = 100;
var MAX_METRIC_VALUES_SIZE = 100;
var MAX_DIMENSION_COUNT = 29;
var EMF_MAX_TIMESTAMP_PAST_AGE = 14 * 24 * 60 * 60 * 1e3;
var EMF_MAX_TIMESTAMP_FUTURE_AGE = 2 * 60 * 60 * 1e3;
var MetricUnit = {
  Seconds: "Seconds",
  Microseconds: "Microseconds",
  Milliseconds: "Milliseconds",
  Bytes: "Bytes",
  Kilobytes: "Kilobytes",
  Megabytes: "Megabytes",
  Gigabytes: "Gigabytes",
  Terabytes: "Terabytes",
  Bits: "Bits",
  Kilobits: "Kilobits",
  Megabits: "Megabits",
  Gigabits: "Gigabits",
  Terabits: "Terabits",
  Percent: "Percent",
  Count: "Count",
  BytesPerSecond: "Bytes/Second",
  KilobytesPerSecond: "Kilobytes/Second",
  MegabytesPerSecond: "Megabytes/Second",
  GigabytesPerSecond: "Gigabytes/Second",
  TerabytesPerSecond: "Terabytes/Second",
  BitsPerSecond: "Bits/Second",
  KilobitsPerSecond: "Kilobits/Second",
  MegabitsPerSecond: "Megabits/Second",
  GigabitsPerSecond: "Gigabits/Second",
  TerabitsPerSecond: "Terabits/Second",
  CountPerSecond: "Count/Second",
  NoUnit: "None"
};
var MetricResolution = {
  Standard: 60,
  High: 1
};

// node_modules/@aws-lambda-powertools/metrics/lib/esm/Metrics.js
var import_node_console2 = require("node:console");

// node_modules/@aws-lambda-powertools/metrics/lib/esm/DimensionsStore.js
var DimensionsStore = class {
  #dimensions = new InvocationScoped("powertools.metrics.dimensions", { fresh: () => ({}) });
  #dimensionSets = new InvocationScoped("powertools.metrics.dimensionSets", { fresh: () => [] });
  #defaultDimensions = {};
  #getDimensions() {
    return this.#dimensions.get();
  }
  #getDimensionSets() {
    return this.#dimensionSets.get();
  }
  addDimension(name, value) {
    this.#getDimensions()[name] = value;
    return value;
  }
  addDimensionSet(dimensionSet) {
    this.#getDimensionSets().push({ ...dimensionSet });
    return dimensionSet;
  }
  getDimensions() {
    return { ...this.#getDimensions() };
  }
  getDimensionSets() {
    return this.#getDimensionSets().map((set) => ({ ...set }));
  }
  clearRequestDimensions() {
    this.#dimensions.reset();
    this.#dimensionSets.reset();
  }
  clearDefaultDimensions() {
    this.#defaultDimensions = {};
  }
  setDefaultDimensions(dimensions) {
    this.#defaultDimensions = { ...dimensions };
  }
  getDefaultDimensions() {
    return { ...this.#defaultDimensions };
  }
};

// node_modules/@aws-lambda-powertools/metrics/lib/esm/MetadataStore.js
var MetadataStore = class {
  #metadata = new InvocationScoped("powertools.metrics.metadata", { fresh: () => ({}) });
  #getStorage() {
    return this.#metadata.get();
  }
  set(key, value) {
    this.#getStorage()[key] = value;
    return value;
  }
  getAll() {
    return { ...this.#getStorage() };
  }
  clear() {
    this.#metadata.reset();
  }
};

// node_modules/@aws-lambda-powertools/metrics/lib/esm/MetricsStore.js
var MetricsStore = class {
  #storedMetrics = new InvocationScoped("powertools.metrics.storedMetrics", { fresh: () => ({}) });
  #timestamp = new InvocationScoped("powertools.metrics.timestamp", { initial: void 0 });
  #getStorage() {
    return this.#storedMetrics.get();
  }
  getMetric(name) {
    return this.#getStorage()[name];
  }
  /**
   * Adds a metric value to storage. If a metric with the same name already exists,
   * the value is appended to an array. Validates that the unit matches any existing metric.
   *
   * @example
   * ```typescript
   * store.setMetric('latency', MetricUnit.Milliseconds, 100);
   * // Returns: { name: 'latency', unit: 'Milliseconds', value: 100, resolution: 60 }
   *
   * store.setMetric('latency', MetricUnit.Milliseconds, 150);
   * // Returns: { name: 'latency', unit: 'Milliseconds', value: [100, 150], resolution: 60 }
   * ```
   *
   * @param name - The metric name
   * @param unit - The metric unit (must match existing metric if present)
   * @param value - The metric value to add
   * @param resolution - The metric resolution (defaults to Standard)
   * @returns The stored metric with updated values
   * @throws Error if unit doesn't match existing metric
   */
  setMetric(name, unit, value, resolution = MetricResolution.Standard) {
    const storage = this.#getStorage();
    const existingMetric = storage[name];
    if (existingMetric === void 0) {
      const newMetric = {
        name,
        unit,
        value,
        resolution
      };
      storage[name] = newMetric;
      return { ...newMetric };
    }
    if (existingMetric.unit !== unit) {
      const currentUnit = existingMetric.unit;
      throw new Error(`Metric "${name}" has already been added with unit "${currentUnit}", but we received unit "${unit}". Did you mean to use metric unit "${currentUnit}"?`);
    }
    if (!Array.isArray(existingMetric.value)) {
      existingMetric.value = [existingMetric.value];
    }
    existingMetric.value.push(value);
    return { ...existingMetric, value: [...existingMetric.value] };
  }
  getMetricNames() {
    return Object.keys(this.#getStorage());
  }
  getAllMetrics() {
    return Object.values(this.#getStorage());
  }
  clearMetrics() {
    this.#storedMetrics.reset();
    this.#timestamp.set(void 0);
  }
  hasMetrics() {
    return this.getMetricNames().length > 0;
  }
  getMetricsCount() {
    return this.getMetricNames().length;
  }
  getTimestamp() {
    return this.#timestamp.get();
  }
  setTimestamp(timestamp) {
    const timestampMs = this.#convertTimestampToEmfFormat(timestamp);
    this.#timestamp.set(timestampMs);
    return timestampMs;
  }
  #convertTimestampToEmfFormat(timestamp) {
    if (isIntegerNumber(timestamp)) {
      return timestamp;
    }
    if (timestamp instanceof Date) {
      return timestamp.getTime();
    }
    return 0;
  }
};

// node_modules/@aws-lambda-powertools/metrics/lib/esm/Metrics.js
var Metrics = class _Metrics extends Utility {
  /**
   * Console instance used to print logs.
   *
   * In AWS Lambda, we create a new instance of the Console class so that we can have
   * full control over the output of the logs. In testing environments, we use the
   * default console instance.
   *
   * This property is initialized in the constructor in setOptions().
   *
   * @private
   */
  console;
  /**
   * Custom configuration service for metrics
   */
  customConfigService;
  /**
   * Storage for dimensions
   */
  #dimensionsStore = new DimensionsStore();
  /**
   * Name of the Lambda function
   */
  functionName;
  /**
   * Custom logger object used for emitting debug, warning, and error messages.
   *
   * Note that this logger is not used for emitting metrics which are emitted to standard output using the `Console` object.
   */
  #logger;
  /**
   * Flag indicating if this is a single metric instance
   * @default false
   */
  isSingleMetric = false;
  /**
   * Additional metadata to be included with metrics
   */
  #metadataStore = new MetadataStore();
  /**
   * Namespace for the metrics
   */
  namespace;
  /**
   * Flag to determine if an error should be thrown when no metrics are recorded
   * @default false
   */
  shouldThrowOnEmptyMetrics = false;
  /**
   * Storage for metrics before they are published
   */
  #metricsStore = new MetricsStore();
  /**
   * Whether to disable metrics
   */
  disabled = false;
  /**
   * Cached environment config values.
   * Initialized once in setEnvConfig().
   */
  #envConfig = {
    namespace: "",
    functionName: "",
    serviceName: "",
    disabled: false,
    devMode: false
  };
  constructor(options = {}) {
    super();
    this.setEnvConfig();
    this.setConsole();
    this.#logger = options.logger || this.console;
    this.setOptions(options);
  }
  /**
   * Add a dimension to metrics.
   *
   * A dimension is a key-value pair that is used to group metrics, and it is included in all metrics emitted after it is added.
   * Invalid dimension values are skipped and a warning is logged.
   *
   * When calling the {@link Metrics.publishStoredMetrics | `publishStoredMetrics()`} method, the dimensions are cleared. This type of
   * dimension is useful when you want to add request-specific dimensions to your metrics. If you want to add dimensions that are
   * included in all metrics, use the {@link Metrics.setDefaultDimensions | `setDefaultDimensions()`} method.
   *
   * @param name - The name of the dimension
   * @param value - The value of the dimension
   */
  addDimension(name, value) {
    if (isStringUndefinedNullEmpty(name) || isStringUndefinedNullEmpty(value)) {
      this.#logger.warn(`The dimension ${name} doesn't meet the requirements and won't be added. Ensure the dimension name and value are non empty strings`);
      return this;
    }
    const dimensions = this.#dimensionsStore.getDimensions();
    const defaultDimensions = this.#dimensionsStore.getDefaultDimensions();
    const projectedSize = (/* @__PURE__ */ new Set([
      ...Object.keys(defaultDimensions),
      ...Object.keys(dimensions),
      name
    ])).size;
    if (projectedSize > MAX_DIMENSION_COUNT) {
      throw new RangeError(`The number of metric dimensions must be lower than ${MAX_DIMENSION_COUNT}`);
    }
    if (Object.hasOwn(dimensions, name) || Object.hasOwn(defaultDimensions, name)) {
      this.#logger.warn(`Dimension "${name}" has already been added. The previous value will be overwritten.`);
    }
    this.#dimensionsStore.addDimension(name, value);
    return this;
  }
  /**
   * Add multiple dimensions to the metrics.
   *
   * This method is useful when you want to add multiple dimensions to the metrics at once.
   * Invalid dimension values are skipped and a warning is logged.
   *
   * When calling the {@link Metrics.publishStoredMetrics | `publishStoredMetrics()`} method, the dimensions are cleared. This type of
   * dimension is useful when you want to add request-specific dimensions to your metrics. If you want to add dimensions that are
   * included in all metrics, use the {@link Metrics.setDefaultDimensions | `setDefaultDimensions()`} method.
   *
   * @param dimensions - An object with key-value pairs of dimensions
   */
  addDimensions(dimensions) {
    const newDimensions = this.#sanitizeDimensions(dimensions);
    const defaultDimensions = this.#dimensionsStore.getDefaultDimensions();
    const projectedSize = (/* @__PURE__ */ new Set([
      ...Object.keys(defaultDimensions),
      ...Object.keys(newDimensions)
    ])).size;
    if (projectedSize > MAX_DIMENSION_COUNT) {
      throw new RangeError(`The number of metric dimensions must be lower than ${MAX_DIMENSION_COUNT}`);
    }
    this.#dimensionsStore.addDimensionSet(newDimensions);
    return this;
  }
  /**
   * A metadata key-value pair to be included with metrics.
   *
   * You can use this method to add high-cardinality data as part of your metrics.
   * This is useful when you want to search highly contextual information along with your metrics in your logs.
   *
   * Note that the metadata is not included in the Amazon CloudWatch UI, but it can be used to search and filter logs.
   *
   * @example
   * ```typescript
   * import { Metrics } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders'
   * });
   *
   * export const handler = async (event) => {
   *   metrics.addMetadata('request_id', event.requestId);
   *   metrics.addMetric('successfulBooking', MetricUnit.Count, 1);
   *   metrics.publishStoredMetrics();
   * };
   * ```
   *
   * @param key - The key of the metadata
   * @param value - The value of the metadata
   */
  addMetadata(key, value) {
    this.#metadataStore.set(key, value);
    return this;
  }
  /**
   * Add a metric to the metrics buffer.
   *
   * By default, metrics are buffered and flushed when calling {@link Metrics.publishStoredMetrics | `publishStoredMetrics()`} method,
   * or at the end of the handler function when using the {@link Metrics.logMetrics | `logMetrics()`} decorator or the Middy.js middleware.
   *
   * Metrics are emitted to standard output in the Amazon CloudWatch EMF (Embedded Metric Format) schema.
   *
   * You can add a metric by specifying the metric name, unit, and value. For convenience,
   * we provide a set of constants for the most common units in the {@link MetricUnits | MetricUnit} dictionary object.
   *
   * Optionally, you can specify a {@link https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Resolution_definition | resolution}, which can be either `High` or `Standard`, using the {@link MetricResolutions | MetricResolution} dictionary object.
   * By default, metrics are published with a resolution of `Standard`.
   *
   * @example
   * ```typescript
   * import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders'
   * });
   *
   * export const handler = async () => {
   *   metrics.addMetric('successfulBooking', MetricUnit.Count, 1);
   *   metrics.publishStoredMetrics();
   * };
   * ```
   *
   * @param name - The metric name
   * @param unit - The metric unit, see {@link MetricUnits | MetricUnit}
   * @param value - The metric value
   * @param resolution - The metric resolution, see {@link MetricResolutions | MetricResolution}
   */
  addMetric(name, unit, value, resolution = MetricResolution.Standard) {
    this.storeMetric(name, unit, value, resolution);
    if (this.isSingleMetric)
      this.publishStoredMetrics();
    return this;
  }
  /**
   * Immediately emit a `ColdStart` metric if this is a cold start invocation.
   *
   * A cold start is when AWS Lambda initializes a new instance of your function. To take advantage of this feature,
   * you must instantiate the Metrics class outside of the handler function.
   *
   * By using this method, the metric will be emitted immediately without you having to call {@link Metrics.publishStoredMetrics | `publishStoredMetrics()`}.
   *
   * If you are using the {@link Metrics.logMetrics | `logMetrics()`} decorator, or the Middy.js middleware, you can enable this
   * feature by setting the `captureColdStartMetric` option to `true`.
   *
   * @example
   * ```typescript
   * import { Metrics } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders'
   * });
   *
   * export const handler = async () => {
   *   metrics.captureColdStartMetric();
   * };
   * ```
   *
   * @param functionName - Optional function name to use as `function_name` dimension in the metric. It's used only if the `functionName` constructor parameter or environment variable are not set.
   */
  captureColdStartMetric(functionName) {
    if (!this.getColdStart())
      return;
    const singleMetric = this.singleMetric();
    const value = this.functionName?.trim() ?? functionName?.trim();
    if (value && value.length > 0) {
      singleMetric.addDimension("function_name", value);
    }
    singleMetric.addMetric(COLD_START_METRIC, MetricUnit.Count, 1);
  }
  /**
   * Clear all previously set default dimensions.
   *
   * This will remove all default dimensions set by the {@link Metrics.setDefaultDimensions | `setDefaultDimensions()`} method
   * or via the `defaultDimensions` parameter in the constructor.
   *
   * @example
   * ```typescript
   * import { Metrics } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders',
   *   defaultDimensions: { environment: 'dev' },
   * });
   *
   * metrics.setDefaultDimensions({ region: 'us-west-2' });
   *
   * // both environment and region dimensions are removed
   * metrics.clearDefaultDimensions();
   * ```
   */
  clearDefaultDimensions() {
    this.#dimensionsStore.clearDefaultDimensions();
  }
  /**
   * Clear all the dimensions added to the Metrics instance via {@link Metrics.addDimension | `addDimension()`} or {@link Metrics.addDimensions | `addDimensions()`}.
   *
   * These dimensions are normally cleared when calling {@link Metrics.publishStoredMetrics | `publishStoredMetrics()`}, but
   * you can use this method to clear specific dimensions that you no longer need at runtime.
   *
   * This method does not clear the default dimensions set via {@link Metrics.setDefaultDimensions | `setDefaultDimensions()`} or via
   * the `defaultDimensions` parameter in the constructor.
   *
   * @example
   * ```typescript
   * import { Metrics } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders'
   * });
   *
   * export const handler = async () => {
   *   metrics.addDimension('region', 'us-west-2');
   *
   *   // ...
   *
   *   metrics.clearDimensions(); // only the region dimension is removed
   * };
   * ```
   *
   * The method is primarily intended for internal use, but it is exposed for advanced use cases.
   */
  clearDimensions() {
    this.#dimensionsStore.clearRequestDimensions();
  }
  /**
   * Clear all the metadata added to the Metrics instance.
   *
   * Metadata is normally cleared when calling {@link Metrics.publishStoredMetrics | `publishStoredMetrics()`}, but
   * you can use this method to clear specific metadata that you no longer need at runtime.
   *
   * The method is primarily intended for internal use, but it is exposed for advanced use cases.
   */
  clearMetadata() {
    this.#metadataStore.clear();
  }
  /**
   * Clear all the metrics stored in the buffer.
   *
   * This is useful when you want to clear the metrics stored in the buffer without publishing them.
   *
   * The method is primarily intended for internal use, but it is exposed for advanced use cases.
   */
  clearMetrics() {
    this.#metricsStore.clearMetrics();
  }
  /**
   * Check if there are stored metrics in the buffer.
   */
  hasStoredMetrics() {
    return this.#metricsStore.hasMetrics();
  }
  /**
   * Whether metrics are disabled.
   */
  isDisabled() {
    return this.disabled;
  }
  /**
   * A class method decorator to automatically log metrics after the method returns or throws an error.
   *
   * The decorator can be used with TypeScript classes and can be configured to optionally capture a `ColdStart` metric (see {@link Metrics.captureColdStartMetric | `captureColdStartMetric()`}),
   * throw an error if no metrics are emitted (see {@link Metrics.setThrowOnEmptyMetrics | `setThrowOnEmptyMetrics()`}),
   * and set default dimensions for all metrics (see {@link Metrics.setDefaultDimensions | `setDefaultDimensions()`}).
   *
   * @example
   *
   * ```typescript
   * import type { Context } from 'aws-lambda';
   * import type { LambdaInterface } from '@aws-lambda-powertools/commons/types';
   * import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders'
   * });
   *
   * class Lambda implements LambdaInterface {
   *   ⁣@metrics.logMetrics({ captureColdStartMetric: true })
   *   public async handler(_event: { requestId: string }, _: Context) {
   *     metrics.addMetadata('request_id', event.requestId);
   *     metrics.addMetric('successfulBooking', MetricUnit.Count, 1);
   *   }
   * }
   *
   * const handlerClass = new Lambda();
   * export const handler = handlerClass.handler.bind(handlerClass);
   * ```
   *
   * You can configure the decorator with the following options:
   * - `captureColdStartMetric` - Whether to capture a `ColdStart` metric
   * - `defaultDimensions` - Default dimensions to add to all metrics
   * - `throwOnEmptyMetrics` - Whether to throw an error if no metrics are emitted
   *
   * @param options - Options to configure the behavior of the decorator, see {@link ExtraOptions}
   */
  logMetrics(options = {}) {
    const { throwOnEmptyMetrics, defaultDimensions, captureColdStartMetric } = options;
    if (throwOnEmptyMetrics) {
      this.setThrowOnEmptyMetrics(throwOnEmptyMetrics);
    }
    if (defaultDimensions !== void 0) {
      this.setDefaultDimensions(defaultDimensions);
    }
    return (_target, _propertyKey, descriptor) => {
      const originalMethod = descriptor.value;
      const metricsRef = this;
      descriptor.value = async function(...args) {
        if (captureColdStartMetric) {
          metricsRef.captureColdStartMetric(args[1].functionName);
        }
        let result;
        try {
          result = await originalMethod.apply(this, args);
        } finally {
          metricsRef.publishStoredMetrics();
        }
        return result;
      };
      return descriptor;
    };
  }
  /**
   * Flush the stored metrics to standard output.
   *
   * The method empties the metrics buffer and emits the metrics to standard output in the Amazon CloudWatch EMF (Embedded Metric Format) schema.
   *
   * When using the {@link Metrics.logMetrics | `logMetrics()`} decorator, or the Middy.js middleware, the metrics are automatically flushed after the handler function returns or throws an error.
   *
   * @example
   * ```typescript
   * import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders'
   * });
   *
   * export const handler = async () => {
   *   metrics.addMetric('successfulBooking', MetricUnit.Count, 1);
   *   metrics.publishStoredMetrics();
   * };
   * ```
   */
  publishStoredMetrics() {
    const hasMetrics = this.hasStoredMetrics();
    if (!this.shouldThrowOnEmptyMetrics && !hasMetrics) {
      this.#logger.warn("No application metrics to publish. The cold-start metric may be published if enabled. If application metrics should never be empty, consider using `throwOnEmptyMetrics`");
    }
    try {
      if (!this.disabled) {
        const emfOutput = this.serializeMetrics();
        hasMetrics && this.console.log(JSON.stringify(emfOutput));
      }
    } finally {
      this.clearMetrics();
      this.clearDimensions();
      this.clearMetadata();
    }
    return this;
  }
  /**
   * Flush the stored metrics when the instance goes out of a `using` scope.
   *
   * This implements the [`Disposable`](https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Symbol/dispose)
   * interface by delegating to {@link Metrics.publishStoredMetrics | `publishStoredMetrics()`}.
   * When the binding declared with `using` leaves scope—including when an exception is thrown—the stored
   * metrics are automatically flushed, removing the need for a manual `try/finally` block.
   *
   * The `using` keyword requires Node.js 24 or newer.
   *
   * @example
   * ```typescript
   * import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders'
   * });
   *
   * export const handler = async () => {
   *   using _ = metrics;
   *   metrics.addMetric('successfulBooking', MetricUnit.Count, 1);
   *   // metrics are automatically flushed when the scope exits, including on exceptions
   * };
   * ```
   */
  [Symbol.dispose]() {
    this.publishStoredMetrics();
  }
  /**
   * Sets the timestamp for the metric.
   *
   * If an integer is provided, it is assumed to be the epoch time in milliseconds.
   * If a Date object is provided, it will be converted to epoch time in milliseconds.
   *
   * The timestamp must be a Date object or an integer representing an epoch time.
   * This should not exceed 14 days in the past or be more than 2 hours in the future.
   * Any metrics failing to meet this criteria will be skipped by Amazon CloudWatch.
   *
   * See: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
   * See: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Monitoring-CloudWatch-Metrics.html
   *
   * @example
   * ```typescript
   * import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders',
   * });
   *
   * export const handler = async () => {
   *   const metricTimestamp = new Date(Date.now() - 24 * 60 * 60 * 1000); // 24 hours ago
   *   metrics.setTimestamp(metricTimestamp);
   *   metrics.addMetric('successfulBooking', MetricUnit.Count, 1);
   * };
   * ```
   * @param timestamp - The timestamp to set, which can be a number or a Date object.
   */
  setTimestamp(timestamp) {
    if (!this.#validateEmfTimestamp(timestamp)) {
      this.#logger.warn("This metric doesn't meet the requirements and will be skipped by Amazon CloudWatch. Ensure the timestamp is within 14 days in the past or up to 2 hours in the future and is also a valid number or Date object.");
    }
    this.#metricsStore.setTimestamp(timestamp);
    return this;
  }
  /**
   * Serialize the stored metrics into a JSON object compliant with the Amazon CloudWatch EMF (Embedded Metric Format) schema.
   *
   * The EMF schema is a JSON object that contains the following properties:
   * - `_aws`: An object containing the timestamp and the CloudWatch metrics.
   * - `CloudWatchMetrics`: An array of CloudWatch metrics objects.
   * - `Namespace`: The namespace of the metrics.
   * - `Dimensions`: An array of dimensions for the metrics.
   * - `Metrics`: An array of metric definitions.
   *
   * The object is then emitted to standard output, which in AWS Lambda is picked up by CloudWatch logs and processed asynchronously.
   */
  serializeMetrics() {
    const metricDefinitions = this.#metricsStore.getAllMetrics().map((metricDefinition) => {
      return {
        Name: metricDefinition.name,
        Unit: metricDefinition.unit,
        ...metricDefinition.resolution === MetricResolution.High ? { StorageResolution: metricDefinition.resolution } : {}
      };
    });
    if (metricDefinitions.length === 0 && this.shouldThrowOnEmptyMetrics) {
      throw new RangeError("The number of metrics recorded must be higher than zero");
    }
    if (!this.namespace)
      this.#logger.warn("Namespace should be defined, default used");
    const metricValues = this.#metricsStore.getAllMetrics().reduce((result, { name, value }) => {
      result[name] = value;
      return result;
    }, {});
    const dimensionNames = [];
    const dimensions = this.#dimensionsStore.getDimensions();
    const dimensionSets = this.#dimensionsStore.getDimensionSets();
    const defaultDimensions = this.#dimensionsStore.getDefaultDimensions();
    const allDimensionKeys = /* @__PURE__ */ new Set([
      ...Object.keys(defaultDimensions),
      ...Object.keys(dimensions)
    ]);
    if (Object.keys(dimensions).length > 0) {
      dimensionNames.push([...allDimensionKeys]);
    }
    for (const dimensionSet of dimensionSets) {
      const dimensionSetKeys = /* @__PURE__ */ new Set([
        ...Object.keys(defaultDimensions),
        ...Object.keys(dimensionSet)
      ]);
      dimensionNames.push([...dimensionSetKeys]);
    }
    if (dimensionNames.length === 0 && Object.keys(defaultDimensions).length > 0) {
      dimensionNames.push(Object.keys(defaultDimensions));
    }
    this.#checkKeyCollisions(defaultDimensions, dimensions, dimensionSets, metricValues, this.#metadataStore.getAll());
    return {
      _aws: {
        Timestamp: this.#metricsStore.getTimestamp() ?? Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: this.namespace || DEFAULT_NAMESPACE,
            Dimensions: dimensionNames,
            Metrics: metricDefinitions
          }
        ]
      },
      // Metadata is spread first so that any colliding key from a dimension
      // source overrides it: dimensions are load-bearing for EMF aggregation,
      // metadata is incidental context.
      ...this.#metadataStore.getAll(),
      ...defaultDimensions,
      ...dimensions,
      // Merge all dimension sets efficiently by mutating the accumulator
      ...dimensionSets.reduce((acc, dims) => {
        for (const [key, value] of Object.entries(dims)) {
          acc[key] = value;
        }
        return acc;
      }, {}),
      ...metricValues
    };
  }
  #checkKeyCollisions(defaultDimensions, dimensions, dimensionSets, metricValues, metadata) {
    const seenKeys = /* @__PURE__ */ new Map();
    const setKey = (k, source) => {
      const existing = seenKeys.get(k);
      if (existing !== void 0) {
        this.#logger.warn(`EMF key "${k}" is defined as both a ${existing} and ${source}; the ${source} value will take precedence in the serialized output`);
      }
      seenKeys.set(k, source);
    };
    for (const k of Object.keys(metadata))
      setKey(k, "metadata");
    for (const k of Object.keys(defaultDimensions))
      setKey(k, "default dimension");
    for (const k of Object.keys(dimensions))
      setKey(k, "dimension");
    for (const set of dimensionSets)
      for (const k of Object.keys(set))
        setKey(k, "dimension set");
    for (const name of Object.keys(metricValues)) {
      const src = seenKeys.get(name);
      if (src !== void 0) {
        throw new Error(`EMF key collision on "${name}": registered as both a metric (number) and a ${src} (string)`);
      }
    }
  }
  /**
   * Set default dimensions that will be added to all metrics.
   *
   * This method will merge the provided dimensions with the existing default dimensions.
   *
   * @example
   * ```typescript
   * import { Metrics } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders',
   *   defaultDimensions: { environment: 'dev' },
   * });
   *
   * // Default dimensions will contain both region and environment
   * metrics.setDefaultDimensions({
   *   region: 'us-west-2',
   *   environment: 'prod',
   * });
   * ```
   *
   * @param dimensions - The dimensions to be added to the default dimensions object
   */
  setDefaultDimensions(dimensions) {
    const newDimensions = this.#sanitizeDimensions(dimensions);
    const currentDefaultDimensions = this.#dimensionsStore.getDefaultDimensions();
    const currentDimensions = this.#dimensionsStore.getDimensions();
    const dimensionSets = this.#dimensionsStore.getDimensionSets();
    const combinedDefaultKeys = [
      ...Object.keys(currentDefaultDimensions),
      ...Object.keys(newDimensions)
    ];
    const currentDimensionsKeys = Object.keys(currentDimensions);
    let maxProjectedSize = currentDimensionsKeys.length > 0 ? (/* @__PURE__ */ new Set([...combinedDefaultKeys, ...currentDimensionsKeys])).size : new Set(combinedDefaultKeys).size;
    for (const dimensionSet of dimensionSets) {
      const setSize = (/* @__PURE__ */ new Set([
        ...combinedDefaultKeys,
        ...Object.keys(dimensionSet)
      ])).size;
      if (setSize > maxProjectedSize) {
        maxProjectedSize = setSize;
      }
    }
    if (maxProjectedSize > MAX_DIMENSION_COUNT) {
      throw new RangeError(`The number of metric dimensions must be lower than ${MAX_DIMENSION_COUNT}`);
    }
    this.#dimensionsStore.setDefaultDimensions({
      ...currentDefaultDimensions,
      ...newDimensions
    });
    return this;
  }
  /**
   * @deprecated Override the function name for `ColdStart` metrics inferred from the context either via:
   * - `functionName` constructor parameter
   * - `POWERTOOLS_FUNCTION_NAME` environment variable
   * - {@link Metrics.captureColdStartMetric | `captureColdStartMetric('myFunctionName')`} method
   */
  /* v8 ignore next -- @preserve */
  setFunctionName(name) {
    this.functionName = name;
  }
  /**
   * Set the flag to throw an error if no metrics are emitted.
   *
   * You can use this method to enable or disable this opt-in feature. This is useful if you want to ensure
   * that at least one metric is emitted when flushing the metrics. This can be useful to catch bugs where
   * metrics are not being emitted as expected.
   *
   * @param enabled - Whether to throw an error if no metrics are emitted
   */
  setThrowOnEmptyMetrics(enabled) {
    this.shouldThrowOnEmptyMetrics = enabled;
    return this;
  }
  /**
   * Create a new Metrics instance configured to immediately flush a single metric.
   *
   * CloudWatch EMF uses the same dimensions and timestamp across all your metrics, this is useful when you have a metric that should have different dimensions
   * or when you want to emit a single metric without buffering it.
   *
   * This method is used internally by the {@link Metrics.captureColdStartMetric | `captureColdStartMetric()`} method to emit the `ColdStart` metric immediately
   * after the handler function is called.
   *
   * @example
   * ```typescript
   * import { Metrics } from '@aws-lambda-powertools/metrics';
   *
   * const metrics = new Metrics({
   *   namespace: 'serverlessAirline',
   *   serviceName: 'orders'
   * });
   *
   * export const handler = async () => {
   *   const singleMetric = metrics.singleMetric();
   *   // The single metric will be emitted immediately
   *   singleMetric.addMetric('ColdStart', MetricUnit.Count, 1);
   *
   *   // These other metrics will be buffered and emitted when calling `publishStoredMetrics()`
   *   metrics.addMetric('successfulBooking', MetricUnit.Count, 1);
   *   metrics.publishStoredMetrics();
   * };
   */
  singleMetric() {
    return new _Metrics({
      namespace: this.namespace,
      defaultDimensions: this.#dimensionsStore.getDefaultDimensions(),
      singleMetric: true,
      logger: this.#logger
    });
  }
  /**
   * @deprecated Use {@link Metrics.setThrowOnEmptyMetrics | `setThrowOnEmptyMetrics()`} instead.
   */
  /* v8 ignore next -- @preserve */
  throwOnEmptyMetrics() {
    this.shouldThrowOnEmptyMetrics = true;
  }
  /**
   * Get the custom config service if it exists.
   */
  getCustomConfigService() {
    return this.customConfigService;
  }
  /**
   * Initialize the console property as an instance of the internal version of `Console()` class (PR #748)
   * or as the global node console if the `POWERTOOLS_DEV' env variable is set and has truthy value.
   *
   * @private
   */
  setConsole() {
    if (this.#envConfig.devMode) {
      this.console = console;
    } else {
      this.console = new import_node_console2.Console({
        stdout: process.stdout,
        stderr: process.stderr
      });
    }
  }
  /**
   * Set the custom config service to be used.
   *
   * @param customConfigService The custom config service to be used
   */
  setCustomConfigService(customConfigService) {
    this.customConfigService = customConfigService;
  }
  /**
   * Set the environment variables service to be used.
   */
  setEnvConfig() {
    this.#envConfig.namespace = getStringFromEnv({
      key: "POWERTOOLS_METRICS_NAMESPACE",
      defaultValue: ""
    });
    this.#envConfig.functionName = getStringFromEnv({
      key: "POWERTOOLS_METRICS_FUNCTION_NAME",
      defaultValue: ""
    });
    this.#envConfig.serviceName = getServiceName();
    this.#envConfig.disabled = getBooleanFromEnv({
      key: "POWERTOOLS_METRICS_DISABLED",
      defaultValue: false,
      extendedParsing: true
    });
    this.#envConfig.devMode = isDevMode();
  }
  /**
   * Set the function name for the cold start metric.
   *
   * @param functionName - The function name to be used for the cold start metric set in the constructor
   */
  setFunctionNameForColdStartMetric(functionName) {
    const value = functionName?.trim() ?? this.#envConfig.functionName;
    if (value && value.length > 0) {
      this.functionName = value;
    }
  }
  /**
   * Set the namespace to be used.
   *
   * @param namespace - The namespace to be used
   */
  setNamespace(namespace) {
    this.namespace = namespace || this.getCustomConfigService()?.getNamespace() || this.#envConfig.namespace;
  }
  /**
   * Set the disbaled flag based on the environment variables `POWERTOOLS_METRICS_DISABLED` and `POWERTOOLS_DEV`.
   *
   * The `POWERTOOLS_METRICS_DISABLED` environment variable takes precedence over `POWERTOOLS_DEV`.
   */
  setDisabled() {
    if ("POWERTOOLS_METRICS_DISABLED" in process.env && process.env.POWERTOOLS_METRICS_DISABLED !== void 0) {
      this.disabled = this.#envConfig.disabled;
      return;
    }
    this.disabled = this.#envConfig.devMode;
  }
  /**
   * Set the options to be used by the Metrics instance.
   *
   * This method is used during the initialization of the Metrics instance.
   *
   * @param options - The options to be used
   */
  setOptions(options) {
    const { customConfigService, namespace, serviceName, singleMetric, defaultDimensions, functionName } = options;
    this.setCustomConfigService(customConfigService);
    this.setDisabled();
    this.setNamespace(namespace);
    const resolvedServiceName = this.#resolveServiceName(serviceName);
    this.setDefaultDimensions(defaultDimensions ? { service: resolvedServiceName, ...defaultDimensions } : { service: resolvedServiceName });
    this.setFunctionNameForColdStartMetric(functionName);
    this.isSingleMetric = singleMetric || false;
    return this;
  }
  /**
   * Set the service dimension that will be included in the metrics.
   *
   * @param service - The service to be used
   */
  #resolveServiceName(service) {
    return service || this.getCustomConfigService()?.getServiceName() || this.#envConfig.serviceName || this.defaultServiceName;
  }
  /**
   * Store a metric in the buffer.
   *
   * If the buffer is full, or the metric reaches the maximum number of values,
   * the metrics are flushed to stdout.
   *
   * @param name - The name of the metric to store
   * @param unit - The unit of the metric to store
   * @param value - The value of the metric to store
   * @param resolution - The resolution of the metric to store
   */
  storeMetric(name, unit, value, resolution) {
    if (!isString(name))
      throw new Error(`${name} is not a valid string`);
    if (name.length < MIN_METRIC_NAME_LENGTH || name.length > MAX_METRIC_NAME_LENGTH)
      throw new RangeError(`The metric name should be between ${MIN_METRIC_NAME_LENGTH} and ${MAX_METRIC_NAME_LENGTH} characters`);
    if (!isNumber(value))
      throw new RangeError(`${value} is not a valid number`);
    if (!Object.values(MetricUnit).includes(unit))
      throw new RangeError(`Invalid metric unit '${unit}', expected either option: ${Object.values(MetricUnit).join(",")}`);
    if (!Object.values(MetricResolution).includes(resolution))
      throw new RangeError(`Invalid metric resolution '${resolution}', expected either option: ${Object.values(MetricResolution).join(",")}`);
    if (this.#metricsStore.getMetricsCount() >= MAX_METRICS_SIZE) {
      this.publishStoredMetrics();
    }
    const storedMetric = this.#metricsStore.setMetric(name, unit, value, resolution);
    if (Array.isArray(storedMetric.value) && storedMetric.value.length === MAX_METRIC_VALUES_SIZE) {
      this.publishStoredMetrics();
    }
  }
  /**
   * Validates a given timestamp based on CloudWatch Timestamp guidelines.
   *
   * Timestamp must meet CloudWatch requirements.
   * The time stamp can be up to two weeks in the past and up to two hours into the future.
   * See [Timestamps](https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#about_timestamp)
   * for valid values.
   *
   * @param timestamp - Date object or epoch time in milliseconds representing the timestamp to validate.
   */
  #validateEmfTimestamp(timestamp) {
    const isDate = timestamp instanceof Date;
    if (!isDate && !isIntegerNumber(timestamp)) {
      return false;
    }
    const timestampMs = isDate ? timestamp.getTime() : timestamp;
    const currentTime = Date.now();
    const minValidTimestamp = currentTime - EMF_MAX_TIMESTAMP_PAST_AGE;
    const maxValidTimestamp = currentTime + EMF_MAX_TIMESTAMP_FUTURE_AGE;
    return timestampMs >= minValidTimestamp && timestampMs <= maxValidTimestamp;
  }
  /**
   * Sanitizes the dimensions by removing invalid entries and skipping duplicates.
   *
   * @param dimensions - The dimensions to sanitize.
   */
  #sanitizeDimensions(dimensions) {
    const newDimensions = {};
    const currentDimensions = this.#dimensionsStore.getDimensions();
    for (const [key, value] of Object.entries(dimensions)) {
      if (isStringUndefinedNullEmpty(key) || isStringUndefinedNullEmpty(value)) {
        this.#logger.warn(`The dimension ${key} doesn't meet the requirements and won't be added. Ensure the dimension name and value are non empty strings`);
        continue;
      }
      const defaultDimensions = this.#dimensionsStore.getDefaultDimensions();
      if (Object.hasOwn(currentDimensions, key) || Object.hasOwn(defaultDimensions, key) || Object.hasOwn(newDimensions, key)) {
        this.#logger.warn(`Dimension "${key}" has already been added. The previous value will be overwritten.`);
      }
      newDimensions[key] = value;
    }
    return newDimensions;
  }
};

// src/failover/reconcile.lambda.ts
var import_client_cloudwatch2 = require("@aws-sdk/client-cloudwatch");
var import_client_ec22 = require("@aws-sdk/client-ec2");
var import_client_sns = require("@aws-sdk/client-sns");

// src/failover/alarm-port.ts
var import_client_cloudwatch = require("@aws-sdk/client-cloudwatch");
var MAX_NAMES = 100;
var ALARM_STATES = ["OK", "ALARM", "INSUFFICIENT_DATA"];
var SdkAlarmPort = class _SdkAlarmPort {
  constructor(client) {
    this.client = client;
  }
  client;
  /** Creates a port with its own CloudWatch client. */
  static create(options = {}) {
    const config = { maxAttempts: 4 };
    if (options.region) config.region = options.region;
    if (options.profile) config.profile = options.profile;
    if (options.endpoint) config.endpoint = options.endpoint;
    return new _SdkAlarmPort(new import_client_cloudwatch.CloudWatchClient(config));
  }
  async describeAlarmStates(alarmNames) {
    const states = {};
    for (let i = 0; i < alarmNames.length; i += MAX_NAMES) {
      const names = alarmNames.slice(i, i + MAX_NAMES);
      let nextToken;
      do {
        const out = await this.client.send(new import_client_cloudwatch.DescribeAlarmsCommand({
          AlarmNames: names,
          AlarmTypes: ["MetricAlarm", "CompositeAlarm"],
          MaxRecords: MAX_NAMES,
          NextToken: nextToken
        }));
        for (const a of [...out.MetricAlarms ?? [], ...out.CompositeAlarms ?? []]) {
          const state = a.StateValue;
          if (!a.AlarmName || !state || !ALARM_STATES.includes(state)) continue;
          const at = a.StateTransitionedTimestamp ?? a.StateUpdatedTimestamp;
          states[a.AlarmName] = { state, changedAt: at ? new Date(at).getTime() : void 0 };
        }
        nextToken = out.NextToken;
      } while (nextToken);
    }
    return states;
  }
};

// src/failover/ec2-port.ts
var import_client_ec2 = require("@aws-sdk/client-ec2");
var UnknownResourceError = class extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
    this.name = "UnknownResourceError";
  }
  code;
};
var NOT_FOUND = /* @__PURE__ */ new Set([
  "InvalidNetworkInterfaceID.NotFound",
  "InvalidNetworkInterfaceID.Malformed",
  "InvalidNetworkInterfaceId.Malformed",
  "InvalidInstanceID.NotFound",
  "InvalidInstanceID.Malformed"
]);
function errorCode(err) {
  const e = err;
  return e?.Code ?? e?.code ?? e?.name ?? "Error";
}
function combineStatusChecks(system, instance) {
  const order = ["impaired", "initializing", "insufficient-data", "ok", "not-applicable"];
  const values = [system, instance].map((v) => order.includes(v) ? v : "insufficient-data");
  return order.find((o) => values.includes(o)) ?? "insufficient-data";
}
var INSTANCE_STATES = ["pending", "running", "stopping", "stopped", "shutting-down", "terminated"];
var ATTACHMENT_STATES = ["attaching", "attached", "detaching"];
var SdkEc2Port = class _SdkEc2Port {
  constructor(client) {
    this.client = client;
  }
  client;
  /** Creates a port with its own EC2 client. */
  static create(options = {}) {
    const config = { maxAttempts: 4 };
    if (options.region) config.region = options.region;
    if (options.profile) config.profile = options.profile;
    if (options.endpoint) config.endpoint = options.endpoint;
    return new _SdkEc2Port(new import_client_ec2.EC2Client(config));
  }
  async describeNetworkInterface(eniId) {
    const out = await this.call(() => this.client.send(new import_client_ec2.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] })));
    const ni = out.NetworkInterfaces?.[0];
    if (!ni) throw new UnknownResourceError(`network interface ${eniId} does not exist`, "InvalidNetworkInterfaceID.NotFound");
    const a = ni.Attachment;
    const state = a?.Status;
    const attached = a?.InstanceId && a.AttachmentId && state && ATTACHMENT_STATES.includes(state);
    return {
      eniId,
      availabilityZone: ni.AvailabilityZone ?? "unknown",
      status: ni.Status ?? "unknown",
      attachment: attached ? { attachmentId: a.AttachmentId, instanceId: a.InstanceId, state, deviceIndex: a.DeviceIndex ?? -1 } : void 0
    };
  }
  async describeCandidates(instanceIds) {
    if (instanceIds.length === 0) return [];
    const ids = [...instanceIds];
    const [instances, statuses] = await Promise.all([
      this.call(() => this.client.send(new import_client_ec2.DescribeInstancesCommand({ InstanceIds: ids }))),
      this.call(() => this.client.send(new import_client_ec2.DescribeInstanceStatusCommand({ InstanceIds: ids, IncludeAllInstances: true })))
    ]);
    const byId = new Map((instances.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId, i]));
    const statusById = new Map((statuses.InstanceStatuses ?? []).map((s) => [s.InstanceId, s]));
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      throw new UnknownResourceError(`instance(s) ${missing.join(", ")} do not exist`, "InvalidInstanceID.NotFound");
    }
    return ids.map((id) => {
      const i = byId.get(id);
      const s = statusById.get(id);
      const name = i.State?.Name ?? "unknown";
      return {
        instanceId: id,
        availabilityZone: i.Placement?.AvailabilityZone ?? "unknown",
        state: INSTANCE_STATES.includes(name) ? name : "unknown",
        statusChecks: s ? combineStatusChecks(s.SystemStatus?.Status, s.InstanceStatus?.Status) : "insufficient-data",
        healthySince: i.LaunchTime ? new Date(i.LaunchTime).getTime() : void 0,
        interfaces: (i.NetworkInterfaces ?? []).filter((n) => n.NetworkInterfaceId && n.Attachment?.DeviceIndex !== void 0).map((n) => ({ networkInterfaceId: n.NetworkInterfaceId, deviceIndex: n.Attachment.DeviceIndex }))
      };
    });
  }
  async attach(eniId, instanceId, deviceIndex) {
    const out = await this.call(() => this.client.send(new import_client_ec2.AttachNetworkInterfaceCommand({
      NetworkInterfaceId: eniId,
      InstanceId: instanceId,
      DeviceIndex: deviceIndex
    })));
    return out.AttachmentId ?? "";
  }
  async detach(attachmentId, force) {
    await this.call(() => this.client.send(new import_client_ec2.DetachNetworkInterfaceCommand({ AttachmentId: attachmentId, Force: force })));
  }
  /** Maps "does not exist" errors to `UnknownResourceError`; everything else passes through. */
  async call(fn) {
    try {
      return await fn();
    } catch (err) {
      const code = errorCode(err);
      if (NOT_FOUND.has(code)) throw new UnknownResourceError(err.message, code);
      throw err;
    }
  }
};

// src/failover/decide.ts
function classify(c, policy) {
  if (policy?.forceTarget === c.instanceId && ["running", "pending", "stopped"].includes(c.state)) {
    return "healthy";
  }
  if (c.state !== "running" || c.alarm === "ALARM" || c.statusChecks === "impaired") {
    return "unhealthy";
  }
  return c.statusChecks === "ok" ? "healthy" : "starting";
}
function healthySince(c) {
  if (c.healthySince === void 0 || c.alarm === "INSUFFICIENT_DATA") return void 0;
  return c.alarmSince === void 0 ? c.healthySince : Math.max(c.healthySince, c.alarmSince);
}
function describeHealth(c) {
  const parts = [`state ${c.state}`, `status checks ${c.statusChecks}`];
  if (c.alarm) parts.push(`alarm ${c.alarm}`);
  return parts.join(", ");
}
function decide(obs, policy) {
  const { eni } = obs;
  const skipped = [];
  const eligible = [];
  for (const c of obs.candidates) {
    const busy = obs.deviceIndex === void 0 ? void 0 : c.interfaces?.find((i) => i.deviceIndex === obs.deviceIndex && i.networkInterfaceId !== eni.eniId);
    if (c.availabilityZone !== eni.availabilityZone) {
      skipped.push({
        instanceId: c.instanceId,
        reason: `in ${c.availabilityZone}, the ENI is in ${eni.availabilityZone}: an ENI can only attach in its own AZ`
      });
    } else if (busy) {
      skipped.push({ instanceId: c.instanceId, reason: `device index ${obs.deviceIndex} is taken by ${busy.networkInterfaceId}` });
    } else {
      eligible.push(c);
    }
  }
  const excluded = new Map((obs.excluded ?? []).map((x) => [x.instanceId, x.reason]));
  for (const [instanceId, reason] of excluded) {
    if (instanceId !== eni.attachment?.instanceId && eligible.some((c) => c.instanceId === instanceId)) skipped.push({ instanceId, reason });
  }
  const healthy = (c) => classify(c, policy) === "healthy" && !excluded.has(c.instanceId);
  const rejected = () => eligible.filter((c) => !healthy(c) && !excluded.has(c.instanceId)).map((c) => ({ instanceId: c.instanceId, reason: describeHealth(c) })).concat(skipped);
  const att = eni.attachment;
  if (att && att.state !== "attached") {
    return { kind: "wait", state: att.state, holder: att.instanceId, reason: `attachment to ${att.instanceId} is ${att.state}`, skipped };
  }
  if (!att && eni.status !== "available") {
    return { kind: "wait", state: eni.status, reason: `ENI status is ${eni.status}`, skipped };
  }
  if (!att) {
    const target2 = eligible.find(healthy);
    if (!target2) {
      return { kind: "no-healthy-candidate", reason: "the ENI is free and no candidate in its AZ is healthy", rejected: rejected(), skipped };
    }
    return { kind: "attach", to: target2.instanceId, reason: `the ENI is free; ${target2.instanceId} is the first healthy candidate`, skipped };
  }
  const holderId = att.instanceId;
  if (att.deviceIndex === 0) {
    return { kind: "noop", holder: holderId, reason: `the ENI is the primary interface (device index 0) of ${holderId} and cannot be detached`, skipped };
  }
  const holder = eligible.find((c) => c.instanceId === holderId);
  const others = eligible.filter((c) => c.instanceId !== holderId);
  if (!holder) {
    const target2 = others.find(healthy);
    if (!target2) {
      return { kind: "no-healthy-candidate", holder: holderId, reason: `the ENI is on ${holderId}, which is not a candidate, and no candidate is healthy`, rejected: rejected(), skipped };
    }
    return {
      kind: "move",
      from: holderId,
      attachmentId: att.attachmentId,
      to: target2.instanceId,
      force: false,
      reason: `${holderId} is not a candidate; ${target2.instanceId} is the first healthy candidate`,
      skipped
    };
  }
  const holderHealth = classify(holder, policy);
  if (holderHealth !== "unhealthy") {
    if (!policy.failback) {
      return { kind: "noop", holder: holderId, reason: `holder ${holderId} is ${holderHealth}; failback is off`, skipped };
    }
    const holderRank = eligible.indexOf(holder);
    const preferred = eligible.slice(0, holderRank).filter(healthy);
    const ready = preferred.find((c) => {
      const since = healthySince(c);
      return c.instanceId === policy.forceTarget || policy.failbackAfterSeconds <= 0 || since !== void 0 && obs.now - since >= policy.failbackAfterSeconds * 1e3;
    });
    if (ready) {
      return {
        kind: "move",
        from: holderId,
        attachmentId: att.attachmentId,
        to: ready.instanceId,
        force: false,
        reason: `failback: ${ready.instanceId} is preferred over ${holderId} and healthy for at least ${policy.failbackAfterSeconds}s`,
        skipped
      };
    }
    const pending = preferred.length > 0 ? `; failback to ${preferred[0].instanceId} waits until it has been healthy for ${policy.failbackAfterSeconds}s` : "";
    return { kind: "noop", holder: holderId, reason: `holder ${holderId} is ${holderHealth} and the most preferred healthy candidate${pending}`, skipped };
  }
  const target = others.find(healthy);
  if (!target) {
    return {
      kind: "no-healthy-candidate",
      holder: holderId,
      reason: `holder ${holderId} is unhealthy (${describeHealth(holder)}) and no other candidate in its AZ is healthy; the ENI stays where it is`,
      rejected: rejected(),
      skipped
    };
  }
  return {
    kind: "move",
    from: holderId,
    attachmentId: att.attachmentId,
    to: target.instanceId,
    force: true,
    reason: `holder ${holderId} is unhealthy (${describeHealth(holder)}); ${target.instanceId} is the first healthy candidate`,
    skipped
  };
}

// src/failover/health-alarms.ts
var SEVERITY = ["ALARM", "INSUFFICIENT_DATA", "OK"];
function alarmNamesOf(healthAlarms, instanceIds) {
  const names = instanceIds.flatMap((id) => healthAlarms?.[id] ?? []);
  return names.filter((n, i) => names.indexOf(n) === i);
}
function candidateAlarms(instanceId, configured, described, notices, now) {
  const verdicts = /* @__PURE__ */ new Map();
  for (const alarmName of configured) {
    const r = described[alarmName];
    verdicts.set(alarmName, r ? { alarmName, state: r.state, source: "described", changedAt: r.changedAt } : { alarmName, state: "INSUFFICIENT_DATA", source: "missing" });
  }
  for (const n of notices) {
    if (!configured.includes(n.alarmName) && !n.instanceIds.includes(instanceId)) continue;
    const known = verdicts.get(n.alarmName);
    const changedAt = n.changedAt ?? now;
    const newer = !known || known.source === "missing" || known.source === "event" && changedAt >= (known.changedAt ?? 0) || n.changedAt !== void 0 && known.changedAt !== void 0 && n.changedAt > known.changedAt;
    if (newer) verdicts.set(n.alarmName, { alarmName: n.alarmName, state: n.state, source: "event", changedAt });
  }
  const alarms = [...verdicts.values()];
  if (alarms.length === 0) return { alarms };
  const alarm = SEVERITY.find((s) => alarms.some((a) => a.state === s));
  const alarmSince = Math.max(...alarms.map((a) => a.changedAt ?? now));
  return { alarm, alarmSince, alarms };
}

// src/failover/engine.ts
var FATAL = /* @__PURE__ */ new Set([
  "UnauthorizedOperation",
  "AuthFailure",
  "InvalidParameterValue",
  "InvalidParameterCombination",
  "OptInRequired",
  "AccessDenied",
  "AccessDeniedException",
  "InvalidParameterValueException",
  "InvalidParameterCombinationException"
]);
var TARGET_REFUSALS = /* @__PURE__ */ new Set([
  "InvalidParameterValue",
  "InvalidParameterCombination",
  "AttachmentLimitExceeded",
  "UnauthorizedOperation",
  "OperationNotPermitted",
  "UnsupportedOperation",
  "InvalidInstanceID.NotFound",
  "InvalidInstanceID.Malformed"
]);
var systemClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms))
};
async function reconcile(config, port, deps) {
  const { clock, logger } = deps;
  const start = clock.now();
  const deadline = start + config.deadlineSeconds * 1e3;
  const hardDeadline = deadline + (config.completionGraceSeconds ?? 45) * 1e3;
  const forceAfterMs = (config.forceDetachAfterSeconds ?? 30) * 1e3;
  const pollInitial = config.pollInitialMs ?? 200;
  const pollMax = config.pollMaxMs ?? 1e3;
  const maxErrors = config.maxConsecutiveErrors ?? 5;
  const ids = config.target ? [config.target, ...config.candidates.filter((c) => c !== config.target)] : [...config.candidates];
  const policy = config.target ? { failback: true, failbackAfterSeconds: 0, forceTarget: config.force ? config.target : void 0 } : config.policy;
  let apiCalls = 0;
  let alarmCalls = 0;
  let polls = 0;
  let iteration = 0;
  let errors = 0;
  let delay = pollInitial;
  let candidates;
  let eni;
  let decision;
  let action = "none";
  let from;
  let to;
  let changed = false;
  let waited = false;
  let ownTransition = false;
  let detaching;
  let forcedHungDetach = false;
  const excluded = [];
  const attachFailures = [];
  const detachedFrom = /* @__PURE__ */ new Set();
  const counted = async (fn) => {
    apiCalls++;
    return fn();
  };
  const finish = (outcome, message) => {
    const result = {
      outcome,
      action,
      from,
      to,
      message,
      holder: eni?.attachment?.instanceId,
      eniStatus: eni?.status,
      availabilityZone: eni?.availabilityZone,
      durationMs: clock.now() - start,
      apiCalls,
      alarmCalls,
      polls,
      dryRun: config.dryRun ?? false,
      lastDecision: decision,
      candidates: candidates?.map((c) => summarise(c, policy)),
      attachFailures,
      forcedHungDetach
    };
    logger.info("failover result", { eniId: config.eniId, trigger: config.trigger ?? "unknown", ...result, lastDecision: decision?.kind });
    return result;
  };
  const backoff = async (wakeAt = Infinity) => {
    const remaining = (ownTransition ? hardDeadline : deadline) - clock.now();
    if (remaining <= 0) return false;
    await clock.sleep(Math.max(0, Math.min(delay, remaining, wakeAt - clock.now())));
    delay = Math.min(Math.ceil(delay * 1.25), pollMax);
    return true;
  };
  if (ids.length === 0) return finish("error", "no candidate instances configured");
  const alarmNames = alarmNamesOf(config.healthAlarms, ids);
  const alarmPort = deps.alarms;
  if (alarmNames.length > 0 && !alarmPort) {
    return finish("error", `health alarms ${alarmNames.join(", ")} are configured but the engine was given no CloudWatch alarm port to read them`);
  }
  const describeAlarms = async () => {
    if (alarmNames.length === 0 || !alarmPort) return {};
    alarmCalls++;
    return alarmPort.describeAlarmStates(alarmNames);
  };
  const graceNote = () => ownTransition ? ` (this run had started that transition and kept at it for another ${config.completionGraceSeconds ?? 45}s)` : "";
  const refusedNote = () => attachFailures.map((f) => `${f.instanceId} (${f.code}: ${f.message})`).join(", ");
  for (; ; ) {
    iteration++;
    try {
      eni = await counted(() => port.describeNetworkInterface(config.eniId));
      if (iteration > 1) polls++;
      if (!candidates) {
        const [observed, described] = await Promise.all([counted(() => port.describeCandidates(ids)), describeAlarms()]);
        const now = clock.now();
        candidates = observed.map((c) => {
          const merged = candidateAlarms(c.instanceId, config.healthAlarms?.[c.instanceId] ?? [], described, config.alarmNotices ?? [], now);
          return merged.alarms.length === 0 ? c : { ...c, alarm: merged.alarm, alarmSince: merged.alarmSince, healthAlarms: merged.alarms };
        });
        const missing = alarmNames.filter((n) => !described[n]);
        if (missing.length > 0) {
          logger.warn("health alarms not found", { eniId: config.eniId, alarmNames: missing, treatedAs: "INSUFFICIENT_DATA" });
        }
      }
      errors = 0;
      decision = decide({ eni, candidates, now: clock.now(), deviceIndex: config.deviceIndex, excluded }, policy);
      logDecision(logger, config, eni, candidates, decision, policy, iteration, clock.now() - start);
      if (config.target && iteration === 1) {
        const refusal = refuseTarget(config.target, eni, candidates, decision, policy);
        if (refusal) return finish("error", refusal);
      }
      if (config.dryRun) {
        if (decision.kind === "move" || decision.kind === "attach") {
          action = decision.kind;
          from = decision.kind === "move" ? decision.from : void 0;
          to = decision.to;
        }
        return finish(decision.kind === "no-healthy-candidate" ? "no-healthy" : "noop", `dry run: ${decision.kind}: ${decision.reason}`);
      }
      switch (decision.kind) {
        case "noop":
          if (config.target && eni.attachment?.instanceId !== config.target && attachFailures.some((f) => f.instanceId === config.target)) {
            return finish("error", `attach refused by ${refusedNote()}; the ENI is on ${eni.attachment?.instanceId}: ${decision.reason}`);
          }
          return finish(changed ? "converged" : waited ? "waited" : "noop", decision.reason);
        case "no-healthy-candidate":
          if (config.waitForHealthy && candidates.some((c) => c.state === "pending" || classify(c, policy) === "starting")) {
            candidates = void 0;
            if (await backoff()) continue;
            return finish("deadline-exceeded", `deadline of ${config.deadlineSeconds}s passed while waiting for a candidate to become healthy`);
          }
          if (attachFailures.length > 0 && !eni.attachment && from !== void 0 && clock.now() < hardDeadline && !excluded.some((x) => x.instanceId === from)) {
            const previous = candidates.find((c) => c.instanceId === from);
            if (previous && classify(previous, policy) !== "unhealthy" && previous.availabilityZone === eni.availabilityZone) {
              const back = from;
              logger.warn("returning the ENI to the instance this run took it from", { eniId: config.eniId, instanceId: back, refused: attachFailures.map((f) => f.instanceId) });
              try {
                await counted(() => port.attach(config.eniId, back, config.deviceIndex));
              } catch (err) {
                const code = errorCode(err);
                const message = err?.message ?? String(err);
                attachFailures.push({ instanceId: back, code, message });
                excluded.push({ instanceId: back, reason: `attach refused in this run: ${code}: ${message}` });
                candidates = void 0;
                continue;
              }
              to = back;
              ownTransition = true;
              changed = true;
              delay = pollInitial;
              continue;
            }
          }
          if (attachFailures.length > 0) {
            const where = eni.attachment ? `the ENI is on ${eni.attachment.instanceId}` : "the ENI is free";
            return finish("error", `attach refused by ${refusedNote()}; ${where} and no other candidate is healthy: ${decision.reason}`);
          }
          return finish("no-healthy", decision.reason);
        case "wait": {
          waited = true;
          const a = eni.attachment;
          if (decision.state === "detaching" && a) {
            if (detaching?.attachmentId !== a.attachmentId) detaching = { attachmentId: a.attachmentId, since: clock.now(), forced: false };
            const holder = candidates.find((c) => c.instanceId === a.instanceId);
            const holderUnhealthy = holder !== void 0 && classify(holder, policy) === "unhealthy";
            const hung = clock.now() - detaching.since >= forceAfterMs;
            if (!detaching.forced && (holderUnhealthy || hung)) {
              const current = detaching;
              logger.warn("forcing a detach", {
                eniId: config.eniId,
                attachmentId: a.attachmentId,
                holder: a.instanceId,
                reason: holderUnhealthy ? `holder ${a.instanceId} is unhealthy` : `detaching for ${clock.now() - current.since}ms`
              });
              await counted(() => port.detach(current.attachmentId, true));
              current.forced = true;
              forcedHungDetach = true;
              ownTransition = true;
              changed = true;
              if (action === "none") {
                action = "move";
                from = a.instanceId;
              }
              delay = pollInitial;
              continue;
            }
          }
          const forceAt = detaching && !detaching.forced && decision.state === "detaching" ? detaching.since + forceAfterMs : Infinity;
          if (await backoff(forceAt)) continue;
          return finish("deadline-exceeded", `deadline of ${config.deadlineSeconds}s passed while the ENI was ${decision.state}${graceNote()}`);
        }
        case "move": {
          if (clock.now() >= deadline) {
            return finish("deadline-exceeded", `deadline of ${config.deadlineSeconds}s passed before move to ${decision.to}`);
          }
          const holderId = decision.from;
          if (detachedFrom.has(holderId)) {
            const back = candidates.find((c) => c.instanceId === holderId);
            const ok = back !== void 0 && classify(back, policy) !== "unhealthy";
            return finish(
              ok ? "converged" : "error",
              `another run put the ENI back on ${holderId}, which this run had detached it from; not moving it again in this run: ${decision.reason}`
            );
          }
          const { attachmentId, force } = decision;
          from = decision.from;
          to = decision.to;
          action = "move";
          ownTransition = true;
          await counted(() => port.detach(attachmentId, force));
          detachedFrom.add(holderId);
          detaching = { attachmentId, since: clock.now(), forced: force };
          changed = true;
          delay = pollInitial;
          continue;
        }
        case "attach": {
          if (clock.now() >= hardDeadline) {
            return finish("deadline-exceeded", `deadline of ${config.deadlineSeconds}s passed before attach to ${decision.to}${graceNote()}`);
          }
          const target = decision.to;
          to = target;
          if (action === "none") action = "attach";
          try {
            await counted(() => port.attach(config.eniId, target, config.deviceIndex));
          } catch (err) {
            const code = errorCode(err);
            const refusedByTarget = err instanceof UnknownResourceError ? code.startsWith("InvalidInstanceID") : TARGET_REFUSALS.has(code);
            if (!refusedByTarget) throw err;
            const message = err?.message ?? String(err);
            attachFailures.push({ instanceId: target, code, message });
            excluded.push({ instanceId: target, reason: `attach refused in this run: ${code}: ${message}` });
            logger.warn("attach refused", { eniId: config.eniId, instanceId: target, code, error: message, next: "trying the next healthy candidate" });
            candidates = void 0;
            continue;
          }
          ownTransition = true;
          changed = true;
          delay = pollInitial;
          continue;
        }
      }
    } catch (err) {
      const code = errorCode(err);
      const message = err?.message ?? String(err);
      if (err instanceof UnknownResourceError) {
        const vanished = ownTransition && code.startsWith("InvalidInstanceID") ? (message.match(/i-[0-9a-f]{8,17}/g) ?? []).filter((id) => ids.includes(id)) : [];
        if (!ownTransition) {
          return finish("error", `refusing to act: ${message}`);
        }
        if (vanished.length > 0) {
          for (const id of vanished) ids.splice(ids.indexOf(id), 1);
          logger.warn("candidates no longer exist", { eniId: config.eniId, instanceIds: vanished, next: "observing the others" });
          candidates = void 0;
          continue;
        }
      }
      errors++;
      logger.warn("failover step failed", { eniId: config.eniId, code, error: message, consecutiveErrors: errors });
      const giveUp = FATAL.has(code) || !ownTransition && errors >= maxErrors;
      if (giveUp) {
        return finish("error", `${code}: ${message}`);
      }
      candidates = void 0;
      if (!await backoff()) {
        return finish("deadline-exceeded", `deadline of ${config.deadlineSeconds}s passed after ${code}: ${message}${graceNote()}`);
      }
    }
  }
}
var ALREADY_DETACHED = /* @__PURE__ */ new Set(["InvalidAttachmentID.NotFound", "IncorrectState", "InvalidNetworkInterface.NotAttached", "OperationNotPermitted"]);
async function release(config, port, deps) {
  const { clock, logger } = deps;
  const start = clock.now();
  const deadline = start + config.deadlineSeconds * 1e3;
  const forceAfterMs = (config.forceDetachAfterSeconds ?? 30) * 1e3;
  const pollMax = config.pollMaxMs ?? 1e3;
  const maxErrors = config.maxConsecutiveErrors ?? 5;
  let delay = config.pollInitialMs ?? 200;
  let apiCalls = 0;
  let errors = 0;
  let from;
  let forced = false;
  let detached = false;
  let detaching;
  const finish = (outcome, message) => {
    const result = { outcome, from, forced, message, durationMs: clock.now() - start, apiCalls };
    logger.info("failover release result", { eniId: config.eniId, trigger: config.trigger ?? "unknown", ...result });
    return result;
  };
  const backoff = async (wakeAt = Infinity) => {
    const remaining = deadline - clock.now();
    if (remaining <= 0) return false;
    await clock.sleep(Math.max(0, Math.min(delay, remaining, wakeAt - clock.now())));
    delay = Math.min(Math.ceil(delay * 1.25), pollMax);
    return true;
  };
  for (; ; ) {
    try {
      apiCalls++;
      const eni = await port.describeNetworkInterface(config.eniId);
      errors = 0;
      const a = eni.attachment;
      if (!a) {
        if (eni.status === "available") {
          return detached ? finish("released", `detached from ${from}${forced ? " (forced)" : ""}`) : finish("already-free", `${config.eniId} is not attached`);
        }
      } else if (a.deviceIndex === 0) {
        return finish("primary-interface", `${config.eniId} is the primary interface of ${a.instanceId}: it cannot be detached and is deleted with its instance`);
      } else if (a.state === "attached") {
        from = a.instanceId;
        apiCalls++;
        const force = await holderIsUnhealthy(port, a.instanceId);
        logger.info("failover release: detaching", { eniId: config.eniId, from: a.instanceId, attachmentId: a.attachmentId, force });
        apiCalls++;
        await detachTolerant(port, a.attachmentId, force);
        detached = true;
        forced ||= force;
        detaching = { attachmentId: a.attachmentId, since: clock.now() };
        continue;
      } else if (a.state === "detaching") {
        from ??= a.instanceId;
        if (detaching?.attachmentId !== a.attachmentId) detaching = { attachmentId: a.attachmentId, since: clock.now() };
        if (!forced && clock.now() - detaching.since >= forceAfterMs) {
          logger.warn("forcing a detach", { eniId: config.eniId, attachmentId: a.attachmentId, holder: a.instanceId, reason: "release: the detach hangs" });
          apiCalls++;
          await detachTolerant(port, a.attachmentId, true);
          forced = true;
          detached = true;
          continue;
        }
      }
      if (await backoff(detaching && !forced ? detaching.since + forceAfterMs : Infinity)) continue;
      return finish("deadline-exceeded", `${config.eniId} is still ${a ? `${a.state} on ${a.instanceId}` : eni.status} after ${config.deadlineSeconds}s`);
    } catch (err) {
      const code = errorCode(err);
      const message = err?.message ?? String(err);
      if (err instanceof UnknownResourceError && code.startsWith("InvalidNetworkInterface")) {
        return detached ? finish("released", `detached from ${from}; ${config.eniId} is gone since`) : finish("gone", `${config.eniId} does not exist: ${message}`);
      }
      errors++;
      logger.warn("failover release step failed", { eniId: config.eniId, code, error: message, consecutiveErrors: errors });
      if (FATAL.has(code) || errors >= maxErrors) return finish("error", `${code}: ${message}`);
      if (!await backoff()) return finish("deadline-exceeded", `deadline of ${config.deadlineSeconds}s passed after ${code}: ${message}`);
    }
  }
}
async function holderIsUnhealthy(port, instanceId) {
  try {
    const [holder] = await port.describeCandidates([instanceId]);
    return holder === void 0 || classify(holder) === "unhealthy";
  } catch (err) {
    if (err instanceof UnknownResourceError) return true;
    throw err;
  }
}
async function detachTolerant(port, attachmentId, force) {
  try {
    await port.detach(attachmentId, force);
  } catch (err) {
    if (!ALREADY_DETACHED.has(errorCode(err))) throw err;
  }
}
function refuseTarget(target, eni, candidates, decision, policy) {
  const c = candidates.find((x) => x.instanceId === target);
  if (!c) return `instance ${target} was not described`;
  const skipped = decision.skipped.find((x) => x.instanceId === target);
  if (skipped) return `refusing to move ${eni.eniId} to ${target}: ${skipped.reason}`;
  if (classify(c, policy) !== "healthy") {
    return `refusing to move ${eni.eniId} to ${target}: it is not healthy (${describeHealth(c)}); use force to move anyway`;
  }
  return void 0;
}
function summarise(c, policy) {
  return {
    instanceId: c.instanceId,
    availabilityZone: c.availabilityZone,
    state: c.state,
    statusChecks: c.statusChecks,
    alarm: c.alarm,
    alarms: c.healthAlarms,
    health: classify(c, policy)
  };
}
function logDecision(logger, config, eni, candidates, decision, policy, iteration, elapsedMs) {
  logger.info("failover decision", {
    eniId: config.eniId,
    trigger: config.trigger ?? "unknown",
    dryRun: config.dryRun ?? false,
    iteration,
    elapsedMs,
    eniStatus: eni.status,
    holder: eni.attachment?.instanceId,
    attachmentState: eni.attachment?.state,
    candidates: candidates.map((c) => summarise(c, policy)),
    ...decision,
    decision: decision.kind
  });
}

// src/failover/settings.ts
var ENV = {
  ENI_ID: "ENI_ID",
  CANDIDATES: "CANDIDATE_INSTANCE_IDS",
  DEVICE_INDEX: "DEVICE_INDEX",
  FAILBACK: "FAILBACK",
  FAILBACK_AFTER_SECONDS: "FAILBACK_AFTER_SECONDS",
  DEADLINE_SECONDS: "DEADLINE_SECONDS",
  PLACEMENT_DEADLINE_SECONDS: "PLACEMENT_DEADLINE_SECONDS",
  FORCE_DETACH_AFTER_SECONDS: "FORCE_DETACH_AFTER_SECONDS",
  NOTIFY_TOPIC_ARN: "NOTIFY_TOPIC_ARN",
  /** Self-healing mode: the candidates are this group's instances, named by launch events, so CANDIDATE_INSTANCE_IDS may be empty. */
  AUTOSCALING_GROUP_NAME: "AUTOSCALING_GROUP_NAME",
  HEALTH_ALARMS: "HEALTH_ALARMS"
};
var MAX_HEALTH_ALARMS = 100;
var HEALTH_ALARMS_FORMAT = 'expected i-...=alarmA|alarmB,i-...=alarmC or the JSON {"i-...":["alarmA","alarmB"]}';
var ENI_ID = /^eni-([0-9a-f]{8}|[0-9a-f]{17})$/;
var INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;
function checkEniId(id, name) {
  if (!ENI_ID.test(id)) throw new Error(`${name} '${id}' is not a network interface id: expected eni- followed by 8 or 17 hex digits`);
  return id;
}
function parseInstanceIds(value, name) {
  const ids = value.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  if (ids.length === 0) throw new Error(`${name} '${value}' is empty: give one or more instance ids, the primary first, separated by commas`);
  for (const id of ids) {
    if (!INSTANCE_ID.test(id)) throw new Error(`${name} contains '${id}', which is not an instance id: expected i- followed by 8 or 17 hex digits`);
  }
  const dup = ids.find((id, n) => ids.indexOf(id) !== n);
  if (dup) throw new Error(`${name} lists '${dup}' twice: each candidate appears once, in preference order`);
  return ids;
}
function checkInstanceId(id, name) {
  if (!INSTANCE_ID.test(id)) throw new Error(`${name} '${id}' is not an instance id: expected i- followed by 8 or 17 hex digits`);
  return id;
}
function parseHealthAlarms(value, name) {
  const text = value?.trim() ?? "";
  if (text === "") return {};
  const entries = [];
  if (text.startsWith("{")) {
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new Error(`${name} '${value}' is not valid JSON (${err.message}): ${HEALTH_ALARMS_FORMAT}`);
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new Error(`${name} '${value}' is not a JSON object of instance ids: ${HEALTH_ALARMS_FORMAT}`);
    }
    entries.push(...Object.entries(parsed));
  } else {
    for (const entry of text.split(",").map((e) => e.trim())) {
      const eq = entry.indexOf("=");
      if (eq < 0) throw new Error(`${name} entry '${entry}' is not instance=alarms: ${HEALTH_ALARMS_FORMAT}`);
      const id = entry.slice(0, eq).trim();
      if (entries.some(([k]) => k === id)) {
        throw new Error(`${name} lists '${id}' twice: give all of its alarms in one entry, separated by |`);
      }
      entries.push([id, entry.slice(eq + 1).split("|").map((a) => a.trim())]);
    }
  }
  const result = {};
  for (const [id, alarms] of entries) {
    if (!INSTANCE_ID.test(id)) throw new Error(`${name} contains '${id}', which is not an instance id: expected i- followed by 8 or 17 hex digits`);
    if (!Array.isArray(alarms) || alarms.length === 0) {
      throw new Error(`${name} gives no alarm names for ${id} (${JSON.stringify(alarms)}): list one or more alarm names`);
    }
    for (const alarm of alarms) {
      if (typeof alarm !== "string" || alarm.length === 0 || alarm.length > 255 || hasControlCharacter(alarm)) {
        throw new Error(`${name} alarm name ${JSON.stringify(alarm)} for ${id} is not allowed: use 1 to 255 characters without control characters`);
      }
    }
    const dup = alarms.find((a, n) => alarms.indexOf(a) !== n);
    if (dup) throw new Error(`${name} lists alarm '${dup}' twice for ${id}`);
    result[id] = alarms;
  }
  const total = new Set(Object.values(result).flat()).size;
  if (total > MAX_HEALTH_ALARMS) {
    throw new Error(`${name} names ${total} alarms: at most ${MAX_HEALTH_ALARMS} (one DescribeAlarms request per run)`);
  }
  return result;
}
function hasControlCharacter(text) {
  return [...text].some((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127);
}
function checkHealthAlarmInstances(healthAlarms, candidates, name, candidatesName) {
  const stray = Object.keys(healthAlarms).find((id) => !candidates.includes(id));
  if (stray) {
    throw new Error(`${name} has alarms for ${stray}, which is not in ${candidatesName} (${candidates.join(",")}): health alarms belong to candidates`);
  }
}
function parseInteger(value, name, min, max, fallback) {
  if (value === void 0 || value.trim() === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} '${value}' is not an integer from ${min} to ${max}`);
  return n;
}
function parseBoolean(value, name) {
  if (value === void 0 || value === "") return false;
  const v = value.toLowerCase();
  if (["true", "on", "1"].includes(v)) return true;
  if (["false", "off", "0"].includes(v)) return false;
  throw new Error(`${name} '${value}' is not a boolean: use true or false`);
}
function settingsFromEnv(env2) {
  const eni = env2[ENV.ENI_ID];
  if (!eni) throw new Error(`${ENV.ENI_ID} is not set: give the id of the ENI to keep attached`);
  const candidates = env2[ENV.CANDIDATES];
  const autoScalingGroupName = env2[ENV.AUTOSCALING_GROUP_NAME] || void 0;
  if (!candidates && !autoScalingGroupName) throw new Error(`${ENV.CANDIDATES} is not set: give the candidate instance ids, the primary first`);
  const topic = env2[ENV.NOTIFY_TOPIC_ARN];
  if (topic && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(topic)) {
    throw new Error(`${ENV.NOTIFY_TOPIC_ARN} '${topic}' is not an SNS topic ARN`);
  }
  const candidateIds = candidates ? parseInstanceIds(candidates, ENV.CANDIDATES) : [];
  const healthAlarms = parseHealthAlarms(env2[ENV.HEALTH_ALARMS], ENV.HEALTH_ALARMS);
  checkHealthAlarmInstances(healthAlarms, candidateIds, ENV.HEALTH_ALARMS, ENV.CANDIDATES);
  return {
    eniId: checkEniId(eni, ENV.ENI_ID),
    candidates: candidateIds,
    deviceIndex: parseInteger(env2[ENV.DEVICE_INDEX], ENV.DEVICE_INDEX, 1, 31, 1),
    policy: {
      failback: parseBoolean(env2[ENV.FAILBACK], ENV.FAILBACK),
      failbackAfterSeconds: parseInteger(env2[ENV.FAILBACK_AFTER_SECONDS], ENV.FAILBACK_AFTER_SECONDS, 0, 86400, 300)
    },
    deadlineSeconds: parseInteger(env2[ENV.DEADLINE_SECONDS], ENV.DEADLINE_SECONDS, 5, 900, 120),
    placementDeadlineSeconds: parseInteger(env2[ENV.PLACEMENT_DEADLINE_SECONDS], ENV.PLACEMENT_DEADLINE_SECONDS, 5, 900, 600),
    forceDetachAfterSeconds: parseInteger(env2[ENV.FORCE_DETACH_AFTER_SECONDS], ENV.FORCE_DETACH_AFTER_SECONDS, 1, 600, 30),
    notifyTopicArn: topic || void 0,
    healthAlarms
  };
}

// src/failover/triggers.ts
var ALARM_STATES2 = ["OK", "ALARM", "INSUFFICIENT_DATA"];
function parseTrigger(event) {
  const e = event && typeof event === "object" ? event : {};
  const base = { alarmStates: {}, alarms: [], action: "reconcile" };
  const requestType = ["Create", "Update", "Delete"].find((t) => t === e.RequestType);
  if (requestType) {
    return {
      ...base,
      kind: "custom-resource",
      requestType,
      physicalResourceId: e.PhysicalResourceId,
      resourceProperties: isObject(e.ResourceProperties) ? e.ResourceProperties : void 0,
      oldResourceProperties: isObject(e.OldResourceProperties) ? e.OldResourceProperties : void 0,
      summary: `CloudFormation ${e.RequestType} ${e.LogicalResourceId ?? ""}`.trim()
    };
  }
  if (Array.isArray(e.Records) && e.Records.some((r) => r?.EventSource === "aws:sns" || r?.Sns)) {
    const alarms = [];
    const names = [];
    for (const r of e.Records) {
      const message = parseJson(r?.Sns?.Message);
      if (!message?.AlarmName) continue;
      names.push(`${message.AlarmName}=${message.NewStateValue}`);
      const state = message.NewStateValue;
      if (!ALARM_STATES2.includes(state)) continue;
      alarms.push({
        alarmName: String(message.AlarmName),
        state,
        instanceIds: alarmInstanceIds(message.Trigger),
        changedAt: parseTime(message.StateChangeTime)
      });
    }
    return { ...base, kind: "alarm", alarmStates: statesById(alarms), alarms, summary: names.length ? `SNS alarm ${names.join(", ")}` : "SNS message" };
  }
  const detailType = e["detail-type"];
  if (typeof detailType === "string") {
    const d = e.detail ?? {};
    if (detailType === "EC2 Instance State-change Notification") {
      return { ...base, kind: "state-change", summary: `EC2 ${d["instance-id"]} is ${d.state}` };
    }
    if (detailType === "CloudWatch Alarm State Change") {
      const state = d.state?.value;
      const alarms = [];
      if (ALARM_STATES2.includes(state) && typeof d.alarmName === "string") {
        const metrics = d.configuration?.metrics ?? [];
        const instanceIds = metrics.map((m) => m?.metricStat?.metric?.dimensions?.InstanceId).filter((id) => typeof id === "string");
        alarms.push({ alarmName: d.alarmName, state, instanceIds, changedAt: parseTime(d.state?.timestamp) });
      }
      return { ...base, kind: "alarm", alarmStates: statesById(alarms), alarms, summary: `alarm ${d.alarmName}=${state}` };
    }
    if (detailType === "Scheduled Event") {
      return { ...base, kind: "schedule", summary: `schedule ${(e.resources ?? []).join(",")}`.trim() };
    }
    return { ...base, kind: "unknown", summary: `EventBridge ${detailType}` };
  }
  const directKeys = Object.keys(e).every((k) => ["action", "to", "force"].includes(k));
  if (directKeys && (e.action === void 0 || ["reconcile", "status", "move"].includes(e.action))) {
    const action = e.action ?? "reconcile";
    return {
      ...base,
      kind: "direct",
      action,
      to: typeof e.to === "string" ? e.to : void 0,
      force: e.force === true,
      summary: `direct ${action}${e.to ? ` to ${e.to}` : ""}`
    };
  }
  return { ...base, kind: "unknown", summary: `unrecognised event with keys ${Object.keys(e).join(",")}` };
}
function alarmInstanceIds(trigger) {
  if (!trigger) return [];
  const dims = [
    ...trigger.Dimensions ?? [],
    ...(trigger.Metrics ?? []).flatMap((m) => m?.MetricStat?.Metric?.Dimensions ?? [])
  ];
  return dims.filter((d) => (d?.name ?? d?.Name) === "InstanceId").map((d) => String(d.value ?? d.Value));
}
function statesById(alarms) {
  const states = {};
  for (const a of alarms) for (const id of a.instanceIds) states[id] = a.state;
  return states;
}
function parseTime(value) {
  if (typeof value !== "string") return void 0;
  const t = Date.parse(value);
  return Number.isNaN(t) ? void 0 : t;
}
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function parseJson(text) {
  if (typeof text !== "string") return void 0;
  try {
    return JSON.parse(text);
  } catch {
    return void 0;
  }
}

// src/failover/reconcile.lambda.ts
var FAILED = /* @__PURE__ */ new Set(["no-healthy", "deadline-exceeded", "error"]);
var RELEASED = /* @__PURE__ */ new Set(["released", "already-free", "gone", "primary-interface"]);
function createHandler(makeDeps) {
  let deps;
  return async (event) => {
    deps ??= makeDeps();
    const current = deps;
    const { settings, logger } = current;
    const trigger = parseTrigger(event);
    logger.info("failover trigger", { trigger: trigger.kind, summary: trigger.summary, action: trigger.action, alarmStates: trigger.alarmStates });
    const placement = trigger.kind === "custom-resource" ? placementOf(trigger.resourceProperties, settings, "ResourceProperties") : void 0;
    const eniId = placement?.eniId ?? settings.eniId;
    const fail = async (outcome, detail, result2) => {
      const message = `ENI failover of ${eniId} (${trigger.summary}): ${outcome}: ${detail}`;
      const fields = result2;
      logger.error("failover failed", { ...fields, outcome, message, lastDecision: fields.lastDecision?.kind });
      await notify(current, `ENI failover ${outcome}: ${eniId}`, message, result2);
      throw new Error(message);
    };
    let releasedAfterMs = 0;
    if (trigger.kind === "custom-resource" && placement) {
      const old = trigger.requestType === "Update" ? placementOf(trigger.oldResourceProperties, settings, "OldResourceProperties") : void 0;
      const toRelease = trigger.requestType === "Delete" ? placement.eniId : old && old.eniId !== placement.eniId ? old.eniId : void 0;
      if (toRelease) {
        releasedAfterMs = deps.clock.now();
        const released = await release({
          eniId: toRelease,
          deadlineSeconds: settings.placementDeadlineSeconds,
          forceDetachAfterSeconds: settings.forceDetachAfterSeconds,
          trigger: `${trigger.kind}: ${trigger.summary}`
        }, deps.port, { clock: deps.clock, logger });
        if (!RELEASED.has(released.outcome)) {
          await fail(released.outcome, `could not detach ${toRelease}: ${released.message}`, released);
        }
        releasedAfterMs = deps.clock.now() - releasedAfterMs;
      }
      if (trigger.requestType === "Delete") {
        return { PhysicalResourceId: trigger.physicalResourceId ?? placement.eniId };
      }
    }
    const config = configFor(settings, trigger, placement, Math.ceil(releasedAfterMs / 1e3));
    const result = await reconcile(config, deps.port, { clock: deps.clock, logger, alarms: deps.alarms });
    record(deps.metrics, eniId, result);
    if (trigger.kind === "schedule" && result.outcome === "no-healthy") {
      logger.warn("failover no healthy candidate: scheduled run, not failing again", { ...result, lastDecision: result.lastDecision?.kind });
      return result;
    }
    const failed = FAILED.has(result.outcome) && trigger.action !== "status";
    if (failed) {
      await fail(result.outcome, result.message, result);
    }
    if (result.attachFailures.length > 0 && !result.dryRun) {
      const refused = result.attachFailures.map((f) => `${f.instanceId} (${f.code}: ${f.message})`).join(", ");
      const message = `ENI failover of ${eniId} (${trigger.summary}): ${result.outcome} on ${result.holder ?? result.to}, but EC2 refused the attach to ${refused}`;
      logger.error("failover attach refused", { ...result, lastDecision: result.lastDecision?.kind });
      await notify(deps, `ENI failover attach refused: ${eniId}`, message, result);
    }
    if (trigger.kind === "custom-resource") {
      return {
        PhysicalResourceId: eniId,
        Data: { InstanceId: result.holder ?? result.to ?? "", Outcome: result.outcome, Action: result.action }
      };
    }
    return result;
  };
}
function placementOf(props, settings, name) {
  const eni = props?.NetworkInterfaceId;
  const ids = props?.CandidateInstanceIds;
  const index = props?.DeviceIndex;
  if (ids !== void 0 && (!Array.isArray(ids) || ids.length === 0)) {
    throw new Error(`${name}.CandidateInstanceIds ${JSON.stringify(ids)} is not a list of instance ids: give one or more, the primary first`);
  }
  return {
    eniId: typeof eni === "string" ? checkEniId(eni, `${name}.NetworkInterfaceId`) : settings.eniId,
    candidates: Array.isArray(ids) ? ids.map((id) => checkInstanceId(String(id), `${name}.CandidateInstanceIds`)) : settings.candidates,
    deviceIndex: index === void 0 ? settings.deviceIndex : parseInteger(String(index), `${name}.DeviceIndex`, 1, 31, settings.deviceIndex)
  };
}
function configFor(settings, trigger, placement, usedSeconds) {
  const target = trigger.action === "move" && trigger.to ? checkInstanceId(trigger.to, "to") : void 0;
  return {
    eniId: placement?.eniId ?? settings.eniId,
    candidates: placement?.candidates ?? settings.candidates,
    deviceIndex: placement?.deviceIndex ?? settings.deviceIndex,
    policy: settings.policy,
    forceDetachAfterSeconds: settings.forceDetachAfterSeconds,
    deadlineSeconds: placement ? Math.max(1, settings.placementDeadlineSeconds - usedSeconds) : settings.deadlineSeconds,
    waitForHealthy: placement !== void 0,
    dryRun: trigger.action === "status",
    target,
    force: target ? trigger.force : void 0,
    healthAlarms: settings.healthAlarms,
    alarmNotices: trigger.alarms,
    trigger: `${trigger.kind}: ${trigger.summary}`
  };
}
function record(metrics, eniId, result) {
  if (result.dryRun) return;
  metrics.addDimension("NetworkInterfaceId", eniId);
  const moved = result.outcome === "converged" && result.action !== "none";
  metrics.addMetric("Moves", MetricUnit.Count, moved ? 1 : 0);
  if (moved) metrics.addMetric("MoveDurationMs", MetricUnit.Milliseconds, result.durationMs);
  metrics.addMetric("NoHealthyCandidate", MetricUnit.Count, result.outcome === "no-healthy" ? 1 : 0);
  metrics.addMetric("DeadlineExceeded", MetricUnit.Count, result.outcome === "deadline-exceeded" ? 1 : 0);
  metrics.publishStoredMetrics();
}
async function notify(deps, subject, message, result) {
  if (!deps.notifier) return;
  try {
    await deps.notifier.publish(subject.slice(0, 100), `${message}

${JSON.stringify(result, void 0, 2)}`);
  } catch (err) {
    deps.logger.error("failure notice not sent", { error: err.message });
  }
}
var SnsNotifier = class {
  constructor(topicArn) {
    this.topicArn = topicArn;
  }
  topicArn;
  client;
  async publish(subject, message) {
    this.client ??= new import_client_sns.SNSClient({});
    await this.client.send(new import_client_sns.PublishCommand({ TopicArn: this.topicArn, Subject: subject, Message: message }));
  }
};
var SDK_CLIENT_CONFIG = { maxAttempts: 4, requestHandler: { requestTimeout: 5e3, connectionTimeout: 3e3 } };
function defaultDeps() {
  const settings = settingsFromEnv(process.env);
  const powertools = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "eni-failover" });
  const logger = {
    info: (message, fields) => powertools.info(message, fields),
    warn: (message, fields) => powertools.warn(message, fields),
    error: (message, fields) => powertools.error(message, fields)
  };
  return {
    settings,
    port: new SdkEc2Port(new import_client_ec22.EC2Client(SDK_CLIENT_CONFIG)),
    alarms: Object.keys(settings.healthAlarms).length > 0 ? new SdkAlarmPort(new import_client_cloudwatch2.CloudWatchClient(SDK_CLIENT_CONFIG)) : void 0,
    clock: systemClock,
    logger,
    metrics: new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "EniFailover", serviceName: "eni-failover" }),
    notifier: settings.notifyTopicArn ? new SnsNotifier(settings.notifyTopicArn) : void 0
  };
}
var handler = createHandler(defaultDeps);
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  createHandler,
  handler
});
/*! Bundled license information:

@aws-lambda-powertools/logger/lib/esm/logBuffer.js:
@aws-lambda-powertools/logger/lib/esm/Logger.js:
  (* v8 ignore next -- @preserve *)
*/
