/** `node --import` this module to register the TypeScript module-format hooks on the main thread. */
import { registerTypeScriptModuleFormat } from "./register_typescript_format";

registerTypeScriptModuleFormat();
