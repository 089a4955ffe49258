/**
 * Beam's short ids for MonitoringInfos: a bundle's metrics travel as
 * `monitoring_data` (short id -> payload), and the engine asks once, with
 * `MonitoringInfosMetadata`, what each short id means (URN, type, labels).
 * Prism reads only this form: without it the engine sees no user metric and
 * no read index (so it takes every bundle for stuck and splits it).
 */
import type { Bytes, MonitoringInfo } from "./fn_messages";

/** The short ids one harness has given out; the same metric always gets the same id. */
export class MonitoringShortIds {
  private readonly byKey = new Map<string, string>();
  private readonly metadata = new Map<string, MonitoringInfo>();

  /** `infos` as `monitoring_data`: each payload under its metric's short id. */
  encode(infos: readonly MonitoringInfo[]): Record<string, Bytes> {
    const data: Record<string, Bytes> = {};
    for (const info of infos) data[this.idOf(info)] = info.payload;
    return data;
  }

  /** What the short ids mean (`MonitoringInfosMetadataResponse.monitoring_info`); ids never given out are left out. */
  describe(ids: readonly string[]): Record<string, MonitoringInfo> {
    const out: Record<string, MonitoringInfo> = {};
    for (const id of ids) {
      const m = this.metadata.get(id);
      if (m) out[id] = m;
    }
    return out;
  }

  private idOf(info: MonitoringInfo): string {
    const labels = Object.keys(info.labels)
      .sort()
      .map((k) => [k, info.labels[k]]);
    const key = JSON.stringify([info.urn, info.type, labels]);
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = String(this.byKey.size + 1);
      this.byKey.set(key, id);
      this.metadata.set(id, { urn: info.urn, type: info.type, labels: { ...info.labels }, payload: new Uint8Array(0) });
    }
    return id;
  }
}
