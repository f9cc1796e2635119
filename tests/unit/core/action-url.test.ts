import { describe, expect, it } from 'vitest';
import { resolveActionUrl } from '../../../src/main/core/session/action-url';

const API = 'https://clinic.example.org';
const resolve = (link: string, hosts: string[] = []) => resolveActionUrl(link, API, hosts);

describe('action_url', () => {
  it('opens our own screens inside the app, from relative paths, clinic URLs and clinicdesk:// links', () => {
    expect(resolve('/appointments/42')).toEqual({ kind: 'screen', target: { screen: 'board', appointmentId: 42 } });
    expect(resolve('https://clinic.example.org/consultations/3001')).toEqual({ kind: 'screen', target: { screen: 'consultations', consultationId: 3001 } });
    expect(resolve('clinicdesk://appointments/42')).toEqual({ kind: 'screen', target: { screen: 'board', appointmentId: 42 } });
    expect(resolve('/messages/7001')).toEqual({ kind: 'screen', target: { screen: 'conversations', conversationId: 7001 } });
    expect(resolve('/notifications')).toEqual({ kind: 'screen', target: { screen: 'notifications' } });
  });

  it('sends other pages of the clinic host, and admin-allowed hosts, to the browser', () => {
    expect(resolve('https://clinic.example.org/patients/501/chart')).toEqual({ kind: 'external', url: 'https://clinic.example.org/patients/501/chart' });
    expect(resolve('https://lab.example.org/r/7', ['lab.example.org'])).toEqual({ kind: 'external', url: 'https://lab.example.org/r/7' });
  });

  it('refuses everything else', () => {
    expect(resolve('https://evil.example.com/appointments/1')).toMatchObject({ kind: 'refused' });
    expect(resolve('javascript:alert(1)')).toMatchObject({ kind: 'refused' });
    expect(resolve('file:///etc/passwd')).toMatchObject({ kind: 'refused' });
    expect(resolve('https://user:pw@clinic.example.org/x')).toMatchObject({ kind: 'refused' });
    expect(resolve('clinicdesk://nowhere/1')).toMatchObject({ kind: 'refused' });
    expect(resolve('  ')).toMatchObject({ kind: 'refused' });
    expect(resolve('//evil.example.com/x')).toMatchObject({ kind: 'refused' });
  });
});
