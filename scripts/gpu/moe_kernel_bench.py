# Fused-MoE grouped GEMM: vLLM 0.11 default block config vs best of a candidate list, by shape and tokens.
# Our own Triton kernel after the algorithm of vLLM's fused_moe_kernel (docs/calibration.md "Fused-MoE
# kernel configs"). Kept short: it travels to the GPU inside one command line. Writes JSON lines to $OUT/m.jsonl.
import json,os,torch as T,triton as tr,triton.language as tl
from triton.testing import do_bench as B
@tr.jit
def k(a,b,c,s,ids,be,N,K,nv,sa,se,sn,TK:tl.constexpr,F8:tl.constexpr,BM:tl.constexpr,BN:tl.constexpr,BK:tl.constexpr,GM:tl.constexpr,nm):
 p=tl.program_id(0);nn=tl.cdiv(N,BN);g=GM*nn;f=p//g*GM;gs=min(nm-f,GM);pm=f+p%g%gs;pn=p%g//gs
 r=tl.load(ids+pm*BM+tl.arange(0,BM));v=r<nv;e=tl.load(be+pm).to(tl.int64)
 cn=(pn*BN+tl.arange(0,BN))%N;ks=tl.arange(0,BK)
 ap=a+(r//TK)[:,None].to(tl.int64)*sa+ks[None,:];bp=b+e*se+cn[None,:].to(tl.int64)*sn+ks[:,None]
 acc=tl.zeros((BM,BN),tl.float32)
 for i in range(0,tl.cdiv(K,BK)):
  m=ks<K-i*BK;acc=tl.dot(tl.load(ap,mask=v[:,None]&m[None,:],other=0.),tl.load(bp,mask=m[:,None],other=0.),acc=acc);ap+=BK;bp+=BK
 if F8:acc=acc*tl.load(s+e)
 oc=pn*BN+tl.arange(0,BN);tl.store(c+r[:,None].to(tl.int64)*N+oc[None,:],acc.to(tl.bfloat16),mask=v[:,None]&(oc[None,:]<N))
def al(t,E,bm):
 f=t.flatten();nv=f.numel();o=T.argsort(f,stable=True);n=T.bincount(f,minlength=E);P=(n+bm-1)//bm*bm;st=T.cumsum(P,0)-P
 ids=T.full((int(P.sum())+bm,),nv,dtype=T.int32,device='cuda');se=f[o];ids[st[se]+T.arange(nv,device='cuda')-(T.cumsum(n,0)-n)[se]]=o.int()
 return ids,T.repeat_interleave(T.arange(E,device='cuda'),P//bm).int(),int(P.sum())//bm
def run(a,w,t,C,o,s,f8,A):
 bm,bn,bk,gm,nw,ns=C;E,N,K=w.shape;ids,be,nm=A
 k[(nm*tr.cdiv(N,bn),)](a,w,o,s,ids,be,N,K,t.numel(),a.stride(0),N*K,K,TK=t.shape[1],F8=f8,BM=bm,BN=bn,BK=bk,GM=gm,nm=nm,num_warps=nw,num_stages=ns)
CS=[(16,32,64,1,4,3),(16,64,128,1,4,4),(16,64,256,1,4,3),(16,128,128,1,4,3),(16,128,64,1,4,4),(16,256,64,1,8,3),(32,64,128,1,4,4),(32,128,64,1,4,4),(32,128,128,16,8,3),(64,64,32,8,4,3),(64,128,64,1,4,4),(64,128,64,16,4,3),(64,128,128,16,8,3),(64,256,64,16,8,3),(128,128,64,16,8,3),(128,128,64,1,8,4),(128,256,64,16,8,3),(128,64,64,16,4,4),(128,128,128,32,8,3),(64,128,128,32,4,3)]
SH=[('glm45air-tp4-w1',128,704,4096,8,0),('glm45air-tp4-w2',128,4096,352,8,0),('glm46fp8-tp8-w1',160,384,5120,8,1),('glm46fp8-tp8-w2',160,5120,192,8,1),('qwen3-235b-tp8-w1',128,384,4096,8,0),('qwen3-235b-tp8-w2',128,4096,192,8,0),('qwen3-30b-tp1-w1',128,1536,2048,8,0),('qwen3-30b-tp1-w2',128,2048,768,8,0),('mixtral7-tp2-w1',8,7168,4096,2,0),('mixtral7-tp2-w2',8,4096,3584,2,0),('mixtral7-tp8-w1',8,3584,4096,2,0),('mixtral7-tp8-w2',8,4096,1792,2,0)]
O=open(os.environ.get('OUT','.')+'/m.jsonl','w')
x=T.randn(8192,8192,device='cuda',dtype=T.bfloat16);y=T.randn_like(x);print('dev',T.cuda.get_device_name(0),'mm_tflops',2*8192**3/B(lambda:x@y,rep=200,return_mode='median')/1e9,flush=1)
for nm_,E,N,K,tk,f8 in SH:
 dt=T.float8_e4m3fn if f8 else T.bfloat16;w=(T.randn(E,N,K,device='cuda',dtype=T.bfloat16)*.05).to(dt);s=T.ones(E,device='cuda')
 for M in [1,8,32,128,512,2048,8192]:
  a=T.randn(M,K,device='cuda',dtype=T.bfloat16).to(dt);t=T.rand(M,E,device='cuda').topk(tk,1).indices.int();o=T.empty(M*tk,N,device='cuda',dtype=T.bfloat16)
  d=(64,128,128,32,4,3) if f8 else (16,32,64,1,4,3) if M<=E else (64,64,32,8,4,3)
  o.fill_(float('nan'));run(a,w,t,d,o,s,f8,al(t,E,d[0]));h=min(M,16)
  ref=T.einsum('mk,mtnk->mtn',a[:h].float(),w[t[:h].long()].float()).reshape(-1,N);err=((o[:h*tk].float()-ref).norm()/ref.norm()).item()
  tm={}
  for C in dict.fromkeys([d]+CS):
   A=al(t,E,C[0])
   try:tm[C]=B(lambda:run(a,w,t,C,o,s,f8,A),warmup=5,rep=25,return_mode='median')
   except Exception as ex:print('skip',C,type(ex).__name__)
  bc=min(tm,key=tm.get);u=int(T.unique(t).numel())
  R=dict(shape=nm_,E=E,N=N,K=K,topk=tk,fp8=f8,tokens=M,touched=u,default=d,default_ms=tm[d],tuned=bc,tuned_ms=tm[bc],err=err,flops=2.*M*tk*N*K,wbytes=u*N*K*w.element_size())
  O.write(json.dumps(R)+'\n');O.flush();print(nm_,M,u,'def %.1f us tuned %.1f us x%.2f TF %.0f GB/s %.0f err %.1e'%(tm[d]*1e3,tm[bc]*1e3,tm[d]/tm[bc],R['flops']/tm[bc]/1e9,R['wbytes']/tm[bc]/1e6,err),bc,flush=1)
