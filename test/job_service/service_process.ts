/**
 * A job service in a process of its own, for tests that kill it: prints one
 * JSON line with its endpoint and staging folder, then serves until killed.
 */
// The package root registers the runners the service offers (the service module alone registers none).
import "../../index";
import { JobService } from "../../runners/job_service/job_service";

void JobService.start({ port: 0, token: process.env.SERVICE_TEST_TOKEN ?? "t" }).then((service) => {
  process.stdout.write(JSON.stringify({ endpoint: service.endpoint, stagingDir: service.stagingDir }) + "\n");
});
