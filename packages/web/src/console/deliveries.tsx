import { useState } from 'react';
import { api } from '../api';
import { useLoad } from './projects';

interface Delivery {
  id: string;
  event: string;
  task_id: string | null;
  batch_id: string | null;
  url: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  next_attempt_at: string | null;
}

const STATUSES = ['', 'pending', 'succeeded', 'failed'];

/** The callback delivery log: what was sent where, how it went, and redelivery. */
export function DeliveriesPage() {
  const [status, setStatus] = useState('');
  const [message, setMessage] = useState<string | undefined>();
  const deliveries = useLoad<{ docs: Delivery[] }>(
    `/api/v1/deliveries?limit=100${status ? `&status=${status}` : ''}`,
  );
  return (
    <section>
      <h1>Callback deliveries</h1>
      <label className="field inline">
        Status
        <select value={status} onChange={(e) => setStatus(e.target.value)}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s || 'any'}
            </option>
          ))}
        </select>
      </label>
      {deliveries.error ? <p role="alert">{deliveries.error}</p> : null}
      {message ? <p role="status">{message}</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Task or batch</th>
            <th scope="col">URL</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last answer</th>
            <th scope="col">Created</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {(deliveries.data?.docs ?? []).map((delivery) => (
            <tr key={delivery.id}>
              <th scope="row">{delivery.event}</th>
              <td>{delivery.task_id ?? delivery.batch_id ?? ''}</td>
              <td>{delivery.url}</td>
              <td>{delivery.status}</td>
              <td>{delivery.attempts}</td>
              <td>{delivery.last_status_code ?? delivery.last_error ?? '—'}</td>
              <td>{new Date(delivery.created_at).toLocaleString()}</td>
              <td>
                <button
                  type="button"
                  aria-label={`Redeliver ${delivery.id}`}
                  onClick={async () => {
                    try {
                      await api.post(`/api/v1/deliveries/${delivery.id}/redeliver`);
                      setMessage(`Redelivery of ${delivery.event} queued`);
                      deliveries.reload();
                    } catch (caught) {
                      setMessage(caught instanceof Error ? caught.message : String(caught));
                    }
                  }}
                >
                  Redeliver
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
