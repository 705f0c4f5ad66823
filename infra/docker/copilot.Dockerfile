# The copilot service (and the daily report task) as infra/ runs them on ECS Fargate.
# Built from the repository root: docker build -f infra/docker/copilot.Dockerfile .
FROM public.ecr.aws/docker/library/node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY copilot/package.json copilot/
COPY delivery/package.json delivery/
COPY datasets/package.json datasets/
COPY dashboard/package.json dashboard/
COPY infra/package.json infra/
# Only the workspaces the service imports, without dev dependencies.
RUN npm ci --omit=dev --no-audit --no-fund --include-workspace-root -w copilot -w delivery -w datasets \
 && npm cache clean --force
COPY tsconfig.json ./
COPY bin bin
COPY cli cli
COPY copilot copilot
COPY delivery delivery
COPY datasets datasets
USER node
EXPOSE 8080
CMD ["node", "--import", "tsx", "copilot/src/service/aws-main.ts"]
