/** The sentences about hosts (libvirt connections), in Korean; spread into ko.ts. */
import type { hostsEn } from './hostsEn';

export const hostsKo: Readonly<Record<keyof typeof hostsEn, string>> = {
  'hosts.nameText': '호스트 이름은 문자, 숫자, - 또는 _ 1~32자이며 문자나 숫자로 시작해야 합니다.',
  'hosts.nameLocal': '"local"은 로컬 라이브러리의 이름입니다. 다른 호스트 이름을 고르세요.',
  'hosts.fingerprint': '호스트 키 지문은 ssh-keygen -l이 출력하는 것처럼 SHA256: 뒤에 43자가 옵니다.',
  'hosts.uri': 'URI는 qemu:///system, qemu:///session 또는 qemu+ssh://USER@HOST[:PORT]/system이어야 합니다(비밀번호 없이).',
  'hosts.unknown': '"{{name}}"이라는 호스트가 없습니다(guesthouse host list로 볼 수 있습니다).',
  'hosts.exists': '"{{name}}"이라는 호스트가 이미 있습니다.',
  'hosts.hostKeyUnknown':
    '{{address}}의 SSH 호스트 키를 아직 모릅니다. 지문은 {{fingerprint}}입니다. 이것이 그 호스트의 키라면 --accept-host-key {{fingerprint}}로 추가하세요.',
  'hosts.hostKeyChanged':
    '{{address}}의 SSH 호스트 키가 바뀌었습니다(승인한 키 {{expected}}, 지금 제시된 키 {{actual}}). 연결을 거부합니다. 호스트를 다시 설치했다면 제거한 뒤 다시 추가하세요.',
  'hosts.authFailed': '{{address}}의 SSH 서버가 {{how}}(으)로 {{user}}의 로그인을 허락하지 않았습니다.',
  'hosts.withKeyFile': '키 {{path}}',
  'hosts.withAgent': 'SSH 에이전트의 키',
  'hosts.keyFile': '키 파일 {{path}}을(를) 읽을 수 없습니다: {{reason}}',
  'hosts.noAgent': '키 파일(--key)이 주어지지 않았고 SSH 에이전트도 없습니다(SSH_AUTH_SOCK이 설정되지 않음).',
  'hosts.connectFailed': '{{address}}에 연결할 수 없습니다: {{reason}}',
  'hosts.noVirsh': '{{host}}에 virsh가 설치되어 있지 않습니다. 그곳에 libvirt-clients를 설치하세요.',
  'hosts.libvirt': '{{host}}의 libvirt가 말했습니다: {{detail}}',
  'hosts.unreachable': '호스트 {{host}}에 연결할 수 없습니다: {{reason}}',
  'hosts.unsupported': 'libvirt 호스트의 VM은 아직 이 작업을 할 수 없습니다({{what}}).',
  'hosts.vmNotFound': '호스트 {{host}}에 "{{vm}}" VM이 없습니다.',
  'hosts.noBoot': 'libvirt 호스트의 VM에는 부팅할 커널, ISO 또는 새 디스크가 필요합니다.',
  'hosts.nul': 'libvirt 호스트로 보내는 텍스트에는 NUL 문자를 쓸 수 없습니다.',
  'hosts.consoleLog': '{{host}}에 있는 "{{vm}}"의 콘솔 로그를 읽을 수 없습니다: {{detail}}',
  'hosts.added': '호스트 {{name}}({{uri}})을(를) 추가했습니다.',
  'hosts.removed': '호스트 {{name}}을(를) 제거했습니다. 그곳의 VM은 계속 실행됩니다.',
  'hosts.none': '로컬 라이브러리 외에 호스트가 없습니다(guesthouse host add NAME URI로 추가합니다).',
  'hosts.status.connected': '연결됨',
  'hosts.status.connecting': '연결 중',
  'hosts.status.unreachable': '연결 불가',
  'hosts.closed': '연결이 닫혔습니다',
};
