import type { Strings } from './en';

/** 한국어 문자열. */
export const ko: Strings = {
  app: { title: 'Guesthouse', connectionLost: 'Guesthouse 서비스와의 연결이 끊겼습니다. 다시 연결하는 중…', language: '언어' },
  toolbar: {
    new: '새로 만들기', start: '시작', pause: '일시 정지', resume: '계속', reset: '재설정', shutdown: '종료', powerOff: '전원 끄기', save: '상태 저장', discard: '저장 상태 버리기', delete: '삭제', settings: '설정', host: '호스트',
  },
  list: { search: 'VM 검색', empty: '아직 VM이 없습니다. 새로 만들기를 누르세요.', noMatch: '"{{query}}"와 일치하는 VM이 없습니다.', memory: '{{mib}} MiB', cpus_one: 'CPU {{count}}개', cpus_other: 'CPU {{count}}개', machines: '가상 머신' },
  state: { stopped: '정지됨', starting: '시작 중', running: '실행 중', pausing: '일시 정지 중', paused: '일시 정지됨', resuming: '재개 중', stopping: '종료 중', saved: '상태 저장됨', crashed: '비정상 종료' },
  tabs: { details: '정보', display: '화면', console: '콘솔', settings: '설정', log: '로그' },
  log: { refresh: '새로 고침' },
  details: {
    select: '왼쪽에서 VM을 선택하거나 새로 만들기를 누르세요.', os: '운영 체제', engine: '엔진', accelerator: '가속기', memory: '메모리', cpus: 'CPU', disks: '디스크', optical: '광학 드라이브', kernel: '커널', initrd: 'Initrd', append: '커널 명령줄', network: '네트워크', folder: '폴더', none: '없음', reason: '이유', runningOn: '{{engine}}에서 실행 중 ({{accelerator}})', runsOn: '실행 엔진', nothing: '이 호스트에서 실행할 수 없음',
    preview: '미리 보기', previewAlt: '{{name}}의 화면', previewNone: 'VM이 실행 중일 때 여기에 화면이 보입니다.', previewNoDisplay: '이 VM에는 화면이 없습니다 (디스플레이: 없음).',
    guestSees: '게스트가 보는 장치', display: '디스플레이 어댑터', pointer: '포인터', diskBus: '디스크 버스', nicModel: '네트워크 카드', default: '기본값',
    adapters: { vga: '표준 VGA', virtio: 'virtio-vga', none: '없음 (직렬 콘솔만)' },
    pointers: { tablet: 'USB 태블릿', ps2: 'PS/2 마우스' },
    buses: { virtio: 'virtio-blk', sata: 'SATA (AHCI)', ide: 'IDE' },
    nics: { virtio: 'virtio-net', e1000: 'Intel e1000' },
    inaccessible: '이 VM에 접근할 수 없습니다: 설정 파일을 읽을 수 없습니다.', repair: '복구', repairHint: '복구하면 마지막 변경 전의 설정으로 되돌립니다. 삭제하면 VM을 지웁니다.',
  },
  display: {
    notRunning: '"{{name}}"이(가) 실행 중이 아닙니다. 화면을 보려면 시작하세요.', label: '{{name}}의 화면', tools: '화면 도구',
    fit: '창에 맞추기', actualSize: '1:1', fullScreen: '전체 화면', exitFullScreen: '전체 화면 끝내기', ctrlAltDel: 'Ctrl+Alt+Del',
    capture: '키보드 넘겨주기', release: '키보드 되찾기', reconnect: '다시 연결',
    captured: '키보드를 게스트가 쓰고 있습니다 — 되찾으려면 오른쪽 Ctrl(또는 버튼)을 누르세요', clickToCapture: '화면을 클릭하면 키보드를 게스트에 넘겨줍니다.',
    status: { connecting: '연결 중…', connected: '연결됨', disconnected: '연결 끊김', unavailable: '화면을 쓸 수 없습니다.' },
    resolution: '{{width}}×{{height}}',
  },
  console: {
    notRunning: '"{{name}}"이(가) 실행 중이 아닙니다. 콘솔을 쓰려면 시작하세요.', copy: '복사', paste: '붙여넣기', fontBigger: '글자 크게', fontSmaller: '글자 작게', label: '{{name}}의 콘솔',
  },
  confirm: {
    deleteTitle: '"{{name}}"을(를) 삭제할까요?', deleteKeep: 'VM은 삭제하고 디스크는 보관', deleteAll: 'VM과 디스크 모두 삭제', deleteNoDisks: '삭제', cancel: '취소',
    deleteBodyDisks: '보관하지 않으면 폴더 안의 디스크({{disks}})도 삭제됩니다.', deleteBodyNone: '자체 디스크가 없습니다. 폴더 밖의 파일은 건드리지 않습니다.',
  },
  wizard: {
    title: '새 가상 머신', firmware: '펌웨어', firmwareBios: 'BIOS', firmwareUefi: 'UEFI', firmwareUefiMissing: 'UEFI (이 호스트에서 펌웨어를 찾지 못함)', diskSizeBad: '새 디스크에는 0보다 큰 GiB 단위 크기가 필요합니다.', name: '이름', os: '운영 체제', memory: '메모리 (MiB)', cpus: 'CPU', disk: '하드 디스크', diskNew: '새 디스크 만들기', diskExisting: '기존 디스크 파일 사용', diskNone: '디스크 없음', diskSize: '크기 (GiB)', diskPath: '디스크 파일', boot: '부팅 매체', iso: 'ISO 이미지 (CD/DVD)', advanced: '고급: 커널 직접 부팅', kernel: '커널', initrd: 'Initrd', append: '커널 명령줄', engine: '엔진', accelerator: '가속기', finish: '완료', cancel: '취소', creating: '만드는 중…',
    zoneComfortable: '여유: 호스트에 메모리가 충분히 남습니다.', zoneWarning: '경고: 호스트 메모리가 부족해질 수 있습니다.', zoneRefused: '이 호스트의 메모리보다 많습니다.',
    cpuWarning: '호스트의 물리 코어 수({{physical}})보다 많습니다. 게스트가 느려질 수 있습니다.', nameTaken: '"{{name}}"이라는 VM이 이미 있습니다. 다른 이름을 고르세요.',
    willUse: '{{engine}}, {{accelerator}}로 실행됩니다.', noEngine: '사용할 수 있는 엔진이 없습니다: {{reason}}', autoLabel: '자동', tcg: '소프트웨어 에뮬레이션 (TCG)', v86: 'WebAssembly JIT (32비트 x86 게스트, CPU 1개)',
  },
  browse: { browse: '찾아보기…', button: '{{label}} 찾아보기', title: '선택: {{label}}', folder: '폴더', go: '이동', entries: '파일', allFiles: '모든 파일 보기', truncated: '처음 2000개 항목만 보입니다. 더 보려면 위에 폴더를 입력하세요.', cancel: '취소' },
  settings: { loading: '설정을 불러오는 중…', storage: '저장소', noDisks: '하드 디스크가 없습니다.', detach: '떼기', keep: '유지', detachDisk: '{{path}} 떼기', keepDisk: '{{path}} 유지', detachNote: '저장하면 떼어 냅니다. 파일은 그대로 남습니다', attachDisk: '기존 디스크 파일 붙이기', newDisk: '새 디스크 추가 (GiB)', newDiskBad: '새 디스크에는 GiB 단위 크기가 필요합니다 (1 MiB 이상).', kernelNeeded: '커널로 직접 부팅하는 VM에는 커널 파일이 필요합니다.', network: '네트워크', nat: 'NAT (게스트가 밖으로 연결, 포워딩으로 안으로 연결)', noNetwork: '연결 안 함', forwards: '포트 포워딩 (호스트 포트 → 게스트 포트)', save: '저장', saved: '저장했습니다.', readOnly: 'VM이 실행 중입니다. 이 설정은 정지한 뒤에만 바꿀 수 있습니다.', name: '이름' },
  host: {
    title: '이 호스트', cpu: 'CPU', cpus: '논리 {{logical}}개, 물리 {{physical}}개', memory: '메모리', memoryUsed: '{{total}} MiB 중 {{used}} MiB 사용', accelerator: '가속기', none: '없음: QEMU가 CPU를 소프트웨어로 에뮬레이션합니다 (TCG, 더 느림).', engines: '엔진', qemuMissing: 'QEMU를 찾지 못했습니다.', library: '라이브러리', auto: '"auto" 엔진 선택', close: '닫기',
    accelAuto: '가속기가 "auto"인 VM이 쓰는 것', accelSetting: '"auto"로 둔 모든 VM의 가속기', accelProbe: '검사 결과에 따름', accelSaved: '저장했습니다.',
  },
  errors: { bugTitle: 'Guesthouse에 버그가 있습니다', bugBody: '사용자의 잘못이 아닙니다. 아래 내용을 첨부해 알려 주세요.', reload: '새로 고침', dismiss: '닫기', details: '자세히' },
};
