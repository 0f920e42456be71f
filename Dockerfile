# syntax=docker/dockerfile:1
# Three images from one build:
#   docker build --target container  -t calculator-container .   # SageMaker inference (`docker run IMAGE serve`)
#   docker build --target api        -t calculator-api .         # the GraphQL API on ECS Fargate (port 4000)
#   docker build --target api-lambda -t calculator-api-lambda .  # the GraphQL API on AWS Lambda

ARG NODE_IMAGE=node:24-slim
ARG LAMBDA_IMAGE=public.ecr.aws/lambda/nodejs:24

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY container ./container
RUN npx tsc -p tsconfig.build.json

FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS container
LABEL com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true
ENV NODE_ENV=production
WORKDIR /opt/program
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 8080
ENTRYPOINT ["node", "dist/container/serve.js"]
CMD ["serve"]

FROM ${NODE_IMAGE} AS api
# Heap sizing: see src/config/heap-flags.ts (API_HEAP_FLAGS).
ENV NODE_ENV=production PORT=4000 NODE_OPTIONS=--max-semi-space-size=16
WORKDIR /opt/api
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY src/ui/public ./src/ui/public
COPY package.json ./
USER node
EXPOSE 4000
ENTRYPOINT ["node", "dist/src/main.js"]

FROM ${LAMBDA_IMAGE} AS api-lambda
ENV NODE_ENV=production NODE_OPTIONS=--max-semi-space-size=16
COPY --from=production-dependencies /app/node_modules ${LAMBDA_TASK_ROOT}/node_modules
COPY --from=build /app/dist ${LAMBDA_TASK_ROOT}/dist
COPY package.json ${LAMBDA_TASK_ROOT}/
CMD ["dist/src/lambda.handler"]
