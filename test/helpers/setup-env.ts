import 'reflect-metadata';

// Tests log only warnings unless asked otherwise.
process.env.LOG_LEVEL ??= 'warn';
